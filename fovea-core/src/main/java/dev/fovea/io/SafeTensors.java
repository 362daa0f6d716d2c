package dev.fovea.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.FoveaException;
import dev.fovea.io.SafeTensorsHeader.Entry;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One safetensors file held in memory: the format Hugging Face defined and Python's
 * {@code safetensors} reads (8-byte little-endian header length N, N bytes of UTF-8 JSON
 * {@code {"__metadata__": {str: str}, NAME: {"dtype", "shape", "data_offsets": [begin, end]}}},
 * then the data section, offsets relative to its start). Fovea's models, checkpoints and the
 * PyTorch reference cases use it.
 *
 * <p>{@link #read} validates the whole header against the file's real size before allocating
 * anything it names, so a malformed or hostile file fails with a {@link FoveaException} naming
 * the file and the problem, never with an out-of-memory error or a read outside the data
 * section. Like the reference implementation it rejects overlapping ranges and bytes that
 * belong to no tensor. Reads F32, F64, I32, I64 and U8; {@link #writer()} writes F32, I64 and
 * U8. Not a lazy or memory-mapped reader: the data section (at most 2 GiB) is loaded at once,
 * which is ample for CNN classifiers and keeps the object free of open file handles.
 * Instances are immutable and safe to read from several threads.
 */
public final class SafeTensors {
    /** Element types Fovea reads, with their size in bytes; names as in the safetensors header. */
    public enum DType {
        F32(4), F64(8), I32(4), I64(8), U8(1);

        private final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }

        public int bytes() {
            return bytes;
        }
    }

    /** The reference implementation's limit; larger headers are refused before allocation. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final long MAX_DATA_BYTES = Integer.MAX_VALUE - 8;
    static final String METADATA = "__metadata__";

    private final Path path;
    private final Map<String, String> metadata;
    private final Map<String, Entry> entries;
    private final ByteBuffer data;

    private SafeTensors(Path path, Map<String, String> metadata, Map<String, Entry> entries, ByteBuffer data) {
        this.path = path;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.entries = entries;
        this.data = data;
    }

    /** Reads and validates {@code path}; every problem is a {@link FoveaException} naming the file. */
    public static SafeTensors read(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw fail(path, "file is " + size + " bytes long, too short for the 8-byte header length;"
                        + " it is not a safetensors file");
            }
            long n = readFully(path, ch, 0, 8).getLong();
            if (n < 0 || n > size - 8) {
                throw fail(path, "header length field says " + Long.toUnsignedString(n)
                        + " bytes but only " + (size - 8) + " bytes follow it; the file is truncated or not safetensors");
            }
            if (n > MAX_HEADER_BYTES) {
                throw fail(path, "header length " + n + " bytes exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
            }
            byte[] header = new byte[(int) n];
            readFully(path, ch, 8, (int) n).get(header);
            long dataLength = size - 8 - n;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, Entry> entries = SafeTensorsHeader.parse(path, header, dataLength, metadata);
            if (dataLength > MAX_DATA_BYTES) {
                throw fail(path, "data section is " + dataLength + " bytes; Fovea reads files of at most 2 GiB");
            }
            ByteBuffer data = readFully(path, ch, 8 + n, (int) dataLength);
            return new SafeTensors(path, metadata, entries, data);
        } catch (NoSuchFileException e) {
            throw new FoveaException(path + ": no such file", e);
        } catch (IOException e) {
            throw new FoveaException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** A writer for a new file; see {@link Writer}. */
    public static Writer writer() {
        return new Writer();
    }

    public Path path() {
        return path;
    }

    /** The {@code __metadata__} map, in file order; empty when the file has none. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Tensor names in header order. */
    public List<String> names() {
        return List.copyOf(entries.keySet());
    }

    public boolean has(String name) {
        return entries.containsKey(name);
    }

    public Shape shape(String name) {
        return entry(name).shape();
    }

    public DType dtype(String name) {
        return entry(name).dtype();
    }

    /** The tensor's values as floats: F32 as stored, F64 rounded, integers converted (U8 unsigned). */
    public float[] floats(String name) {
        Entry e = entry(name);
        ByteBuffer b = slice(e);
        float[] out = new float[e.count()];
        switch (e.dtype()) {
            case F32 -> b.asFloatBuffer().get(out);
            case F64 -> { for (int i = 0; i < out.length; i++) out[i] = (float) b.getDouble(); }
            case I32 -> { for (int i = 0; i < out.length; i++) out[i] = b.getInt(); }
            case I64 -> { for (int i = 0; i < out.length; i++) out[i] = b.getLong(); }
            case U8 -> { for (int i = 0; i < out.length; i++) out[i] = b.get() & 0xFF; }
        }
        return out;
    }

    /** {@link #floats} with its shape. */
    public Tensor tensor(String name) {
        return new Tensor(shape(name), floats(name));
    }

    /** The values of an integer tensor (I64, I32, or U8 read unsigned). */
    public long[] longs(String name) {
        Entry e = entry(name);
        ByteBuffer b = slice(e);
        long[] out = new long[e.count()];
        switch (e.dtype()) {
            case I64 -> b.asLongBuffer().get(out);
            case I32 -> { for (int i = 0; i < out.length; i++) out[i] = b.getInt(); }
            case U8 -> { for (int i = 0; i < out.length; i++) out[i] = b.get() & 0xFF; }
            default -> throw fail(path, "tensor '" + name + "' is " + e.dtype()
                    + "; longs() reads integer tensors (I64, I32, U8); use floats()");
        }
        return out;
    }

    /** The raw bytes of a U8 tensor (for instance images or serialized state). */
    public byte[] bytes(String name) {
        Entry e = entry(name);
        if (e.dtype() != DType.U8) {
            throw fail(path, "tensor '" + name + "' is " + e.dtype() + "; bytes() reads U8 tensors only");
        }
        byte[] out = new byte[e.count()];
        slice(e).get(out);
        return out;
    }

    @Override
    public String toString() {
        return "SafeTensors[" + path + ", " + entries.size() + " tensors]";
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            List<String> names = names();
            String listed = names.size() <= 20 ? String.join(", ", names)
                    : String.join(", ", names.subList(0, 20)) + ", … (" + names.size() + " in all)";
            throw fail(path, "no tensor '" + name + "'; the file holds: " + (names.isEmpty() ? "none" : listed));
        }
        return e;
    }

    private ByteBuffer slice(Entry e) {
        // Absolute slice: no shared position is touched, so concurrent readers are safe.
        return data.slice((int) e.begin(), (int) (e.end() - e.begin())).order(ByteOrder.LITTLE_ENDIAN);
    }

    static FoveaException fail(Path path, String problem) {
        return new FoveaException(path + ": " + problem);
    }

    private static ByteBuffer readFully(Path path, FileChannel ch, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining()) {
            if (ch.read(buf, position + buf.position()) < 0) {
                throw fail(path, "file ended at byte " + (position + buf.position()) + " while " + length
                        + " bytes were expected from byte " + position + "; was it changed while being read?");
            }
        }
        return buf.flip();
    }

    // ---- writing -------------------------------------------------------------------------------

    /**
     * Collects metadata and tensors, then writes them with {@link #write(Path)}: header padded
     * with spaces to a multiple of 8 (so the data section stays 8-byte aligned), tensors laid
     * out contiguously in insertion order, the file replaced atomically via {@link AtomicFiles}.
     * Arrays are referenced, not copied, and read when {@code write} runs.
     */
    public static final class Writer {
        private record Pending(DType dtype, Shape shape, Object values) {
        }

        private final Map<String, String> metadata = new LinkedHashMap<>();
        private final Map<String, Pending> tensors = new LinkedHashMap<>();

        private Writer() {
        }

        public Writer metadata(String key, String value) {
            metadata.put(key, value);
            return this;
        }

        /** An F32 tensor. */
        public Writer put(String name, Tensor tensor) {
            return add(name, new Pending(DType.F32, tensor.shape(), tensor.data()));
        }

        /** A one-dimensional I64 tensor, e.g. step counters or RNG states. */
        public Writer putLongs(String name, long[] values) {
            return add(name, new Pending(DType.I64, Shape.of(values.length), values));
        }

        /** A U8 tensor of the given shape, e.g. images or serialized state. */
        public Writer putBytes(String name, Shape shape, byte[] values) {
            if (values.length != shape.size()) {
                throw new IllegalArgumentException("shape " + shape + " needs " + shape.size()
                        + " bytes, received " + values.length);
            }
            return add(name, new Pending(DType.U8, shape, values));
        }

        private Writer add(String name, Pending p) {
            if (name.equals(METADATA)) {
                throw new IllegalArgumentException("'" + METADATA + "' is reserved for metadata, not a tensor name");
            }
            if (tensors.putIfAbsent(name, p) != null) {
                throw new IllegalArgumentException("tensor '" + name + "' was already added");
            }
            return this;
        }

        /** Writes the file, replacing {@code path} atomically; I/O failures become {@link FoveaException}. */
        public void write(Path path) {
            byte[] header = header();
            try {
                AtomicFiles.write(path, out -> {
                    ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
                    out.write(len.array());
                    out.write(header);
                    for (Pending p : tensors.values()) {
                        writeData(out, p);
                    }
                });
            } catch (IOException e) {
                String why = e instanceof NoSuchFileException ? "its folder does not exist"
                        : e instanceof AccessDeniedException ? "permission denied" : e.getMessage();
                throw new FoveaException(path + ": cannot write (" + why + "); check that the folder exists,"
                        + " is writable and has free space", e);
            }
        }

        /** The JSON header, space-padded to a multiple of 8 bytes. */
        byte[] header() {
            ObjectNode root = SafeTensorsHeader.JSON.createObjectNode();
            if (!metadata.isEmpty()) {
                ObjectNode m = root.putObject(METADATA);
                metadata.forEach(m::put);
            }
            long offset = 0;
            for (Map.Entry<String, Pending> t : tensors.entrySet()) {
                Pending p = t.getValue();
                ObjectNode e = root.putObject(t.getKey());
                e.put("dtype", p.dtype.name());
                ArrayNode shape = e.putArray("shape");
                for (int d : p.shape.dims()) {
                    shape.add(d);
                }
                long end = offset + (long) p.shape.size() * p.dtype.bytes;
                e.putArray("data_offsets").add(offset).add(end);
                offset = end;
            }
            byte[] json;
            try {
                json = SafeTensorsHeader.JSON.writeValueAsBytes(root);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot serialize a tree of strings and numbers", e);
            }
            int padded = (json.length + 7) & ~7;
            byte[] header = new byte[padded];
            System.arraycopy(json, 0, header, 0, json.length);
            for (int i = json.length; i < padded; i++) {
                header[i] = ' ';
            }
            return header;
        }

        private static void writeData(OutputStream out, Pending p) throws IOException {
            if (p.values instanceof byte[] bytes) {
                out.write(bytes);
                return;
            }
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            if (p.values instanceof float[] f) {
                for (int i = 0; i < f.length; i += buf.capacity() / 4) {
                    buf.clear();
                    buf.asFloatBuffer().put(f, i, Math.min(buf.capacity() / 4, f.length - i));
                    out.write(buf.array(), 0, Math.min(buf.capacity() / 4, f.length - i) * 4);
                }
            } else {
                long[] l = (long[]) p.values;
                for (int i = 0; i < l.length; i += buf.capacity() / 8) {
                    buf.clear();
                    buf.asLongBuffer().put(l, i, Math.min(buf.capacity() / 8, l.length - i));
                    out.write(buf.array(), 0, Math.min(buf.capacity() / 8, l.length - i) * 8);
                }
            }
        }
    }
}
