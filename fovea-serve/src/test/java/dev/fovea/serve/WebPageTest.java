package dev.fovea.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.nn.ActivationFunction;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The page's files over HTTP: bodies from the jar, content types, caching, and nothing else reachable. */
class WebPageTest {
    @TempDir
    static Path dir;
    static InferenceServer server;

    @BeforeAll
    static void start() throws IOException {
        Path run = Fixture.runFolder(dir, "run1", ActivationFunction.SOFTMAX, 3);
        Path plain = Fixture.modelFile(dir, "plain.safetensors", ActivationFunction.LINEAR, 4);
        server = InferenceServer.start(ServeOptions.defaults(0), List.of(ServedModel.load(null, run),
                ServedModel.load(null, plain)), List.of(new WebPage()), System.err);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String resource(String name) throws IOException {
        try (InputStream in = WebPage.class.getResourceAsStream("page/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void indexAndAssetsAreServedWithTheirTypesAndNoCache() throws IOException {
        String[][] cases = {{"/", "index.html", "text/html"}, {"/static/app.js", "app.js", "text/javascript"},
                {"/static/app.css", "app.css", "text/css"}};
        for (String[] c : cases) {
            HttpResponse<String> r = Fixture.get(server, c[0]);
            assertEquals(200, r.statusCode(), c[0]);
            assertEquals(c[2] + ";charset=utf-8", r.headers().firstValue("Content-Type").orElse("").replace(" ", ""),
                    c[0]);
            assertEquals("no-cache", r.headers().firstValue("Cache-Control").orElse(""), c[0]);
            assertEquals(resource(c[1]), r.body(), c[0]);
        }
        String index = Fixture.get(server, "/").body();
        assertTrue(index.contains("src=\"/static/app.js\"") && index.contains("href=\"/static/app.css\""));
        assertTrue(Fixture.get(server, "/").headers().firstValue("Content-Security-Policy").orElse("")
                .startsWith("default-src 'self'"));
    }

    @Test
    void theAssetsAreSelfContained() throws IOException {
        for (String name : List.of("index.html", "app.js", "app.css")) {
            String text = resource(name);
            assertTrue(!text.contains("http://") && !text.contains("https://") && !text.contains("//cdn"),
                    name + " refers to an external asset");
        }
    }

    @Test
    void onlyThePagesOwnFilesAreReachable() {
        for (String path : List.of("/static/index.html", "/static/WebPage.class", "/static/..%2Fpom.xml",
                "/static/%2e%2e%2fapp.js")) {
            HttpResponse<String> r = Fixture.get(server, path);
            assertEquals(404, r.statusCode(), path + ": " + r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), path);
        }
        assertTrue(Fixture.json(Fixture.get(server, "/static/x.js")).get("error").asText()
                .contains("no static file 'x.js'"));
    }

    @Test
    void modelListTellsThePageWhichModelHasAReport() {
        JsonNode models = Fixture.json(Fixture.get(server, "/v1/models")).get("models");
        assertEquals("run1", models.get(0).get("name").asText());
        assertTrue(models.get(0).get("has_report").asBoolean());
        assertEquals("plain", models.get(1).get("name").asText());
        assertTrue(!models.get(1).get("has_report").asBoolean());
        assertEquals(Fixture.CLASSES.size(), models.get(0).get("classes").size());
    }
}
