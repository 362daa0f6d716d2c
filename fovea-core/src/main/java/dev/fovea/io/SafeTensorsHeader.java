package dev.fovea.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.tensor.Shape;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and validates a safetensors JSON header against the real size of the data section,
 * before anything it describes is allocated or read. Every rule broken becomes a
 * {@link dev.fovea.FoveaException} naming the file, the tensor and the offending values.
 * Package-private: {@link SafeTensors} is the API.
 */
final class SafeTensorsHeader {
    /** One validated tensor description; {@code begin} and {@code end} lie inside the data section. */
    record Entry(String name, SafeTensors.DType dtype, Shape shape, int count, long begin, long end) {
    }

    // Duplicate keys would let two readers disagree on which entry wins; trailing tokens would
    // hide a second document after the header.
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private SafeTensorsHeader() {
    }

    /** Parses {@code header}, fills {@code metadata} and returns the tensors in header order. */
    static Map<String, Entry> parse(Path path, byte[] header, long dataLength, Map<String, String> metadata) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(header)).toString();
        } catch (CharacterCodingException e) {
            throw SafeTensors.fail(path, "header is not valid UTF-8");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw SafeTensors.fail(path, "header is not valid JSON: " + e.getOriginalMessage() + at);
        }
        if (root == null || !root.isObject()) {
            throw SafeTensors.fail(path, "header is " + describe(root)
                    + ", expected a JSON object {name: {dtype, shape, data_offsets}}");
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals(SafeTensors.METADATA)) {
                parseMetadata(path, f.getValue(), metadata);
            } else {
                entries.put(f.getKey(), parseEntry(path, f.getKey(), f.getValue(), dataLength));
            }
        }
        checkLayout(path, entries, dataLength);
        return entries;
    }

    private static void parseMetadata(Path path, JsonNode node, Map<String, String> metadata) {
        if (!node.isObject()) {
            throw SafeTensors.fail(path, "__metadata__ is " + describe(node) + ", expected an object of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getValue().isTextual()) {
                throw SafeTensors.fail(path, "__metadata__ value '" + f.getKey() + "' is " + describe(f.getValue())
                        + ", expected a string");
            }
            metadata.put(f.getKey(), f.getValue().textValue());
        }
    }

    private static Entry parseEntry(Path path, String name, JsonNode node, long dataLength) {
        String where = "tensor '" + abbreviate(name) + "'";
        if (!node.isObject()) {
            throw SafeTensors.fail(path, where + " is described by " + describe(node)
                    + ", expected an object with dtype, shape and data_offsets");
        }
        for (String key : List.of("dtype", "shape", "data_offsets")) {
            if (!node.has(key)) {
                throw SafeTensors.fail(path, where + " has no '" + key + "'; its entry is " + abbreviate(node.toString()));
            }
        }
        JsonNode dt = node.get("dtype");
        SafeTensors.DType dtype = null;
        for (SafeTensors.DType d : SafeTensors.DType.values()) {
            if (dt.isTextual() && d.name().equals(dt.textValue())) {
                dtype = d;
            }
        }
        if (dtype == null) {
            throw SafeTensors.fail(path, where + " has dtype " + abbreviate(dt.toString())
                    + ", which Fovea does not read; supported: F32, F64, I32, I64, U8");
        }
        JsonNode sh = node.get("shape");
        if (!sh.isArray()) {
            throw SafeTensors.fail(path, where + " has shape " + abbreviate(sh.toString()) + ", expected a list of dimensions");
        }
        int[] dims = new int[sh.size()];
        for (int i = 0; i < dims.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 0) {
                throw SafeTensors.fail(path, where + " has shape " + abbreviate(sh.toString()) + " whose dimension " + i
                        + " (" + abbreviate(d.toString())
                        + ") is not an integer in [0, 2^31-1]");
            }
            dims[i] = d.intValue();
        }
        long count = 1;
        for (int d : dims) {
            count *= d;
            if (count > Integer.MAX_VALUE) {
                // Each dim is below 2^31 and we stop here, so the long never overflows.
                throw SafeTensors.fail(path, where + " has shape " + abbreviate(sh.toString()) + " with more than 2^31-1 elements");
            }
        }
        JsonNode off = node.get("data_offsets");
        if (!off.isArray() || off.size() != 2 || !isOffset(off.get(0)) || !isOffset(off.get(1))) {
            throw SafeTensors.fail(path, where + " has data_offsets " + abbreviate(off.toString())
                    + ", expected [begin, end] with non-negative integers");
        }
        long begin = off.get(0).longValue();
        long end = off.get(1).longValue();
        Shape shape = Shape.of(dims);
        if (begin > end) {
            throw SafeTensors.fail(path, where + " has data_offsets [" + begin + ", " + end + "] with begin after end");
        }
        if (end > dataLength) {
            throw SafeTensors.fail(path, where + " has data_offsets [" + begin + ", " + end
                    + "] past the end of the data section (" + dataLength + " bytes)");
        }
        long needed = count * dtype.bytes();
        if (end - begin != needed) {
            throw SafeTensors.fail(path, where + " has data_offsets [" + begin + ", " + end + "] but shape " + shape
                    + " of " + dtype + " needs " + needed + " bytes");
        }
        return new Entry(name, dtype, shape, (int) count, begin, end);
    }

    private static boolean isOffset(JsonNode n) {
        return n.isIntegralNumber() && n.canConvertToLong() && n.longValue() >= 0;
    }

    /** Ranges must tile the data section exactly, as the reference implementation requires. */
    private static void checkLayout(Path path, Map<String, Entry> entries, long dataLength) {
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        Entry last = null;
        for (Entry e : sorted) {
            if (e.begin() < covered) {
                throw SafeTensors.fail(path, "tensors '" + last.name() + "' [" + last.begin() + ", " + last.end() + "] and '"
                        + e.name() + "' [" + e.begin() + ", " + e.end() + "] overlap");
            }
            if (e.begin() > covered) {
                throw SafeTensors.fail(path, "bytes [" + covered + ", " + e.begin() + ") of the data section belong to no tensor");
            }
            covered = e.end();
            last = e;
        }
        if (covered != dataLength) {
            throw SafeTensors.fail(path, "data section is " + dataLength + " bytes but the tensors cover only "
                    + covered + "; the file has trailing bytes");
        }
    }

    private static String describe(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "empty";
        }
        return "a JSON " + n.getNodeType().name().toLowerCase() + " (" + abbreviate(n.toString()) + ")";
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
