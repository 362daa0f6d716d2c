package dev.fovea.serve;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The page a person uses in a browser: {@code GET /} (index.html) and its two assets under
 * {@code /static/}, read once from this jar's resources ({@code dev/fovea/serve/page/}) and
 * served from memory. Plain HTML, CSS and JavaScript that talk only to the server's {@code /v1}
 * routes: choose a model, drop images, see the top-5 bars and the Grad-CAM overlay, the summary
 * and the training report. The asset is looked up by name in a fixed table, so no client path
 * ever reaches the file system or the class path.
 */
public final class WebPage implements InferenceServer.Extension {
    private static final String BASE = "page/";
    /** Served files by name, with their content types. */
    private static final Map<String, String> ASSETS = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "app.css", "text/css; charset=utf-8");
    /** Only this server's own scripts, styles and the images the page makes (blob: URLs of uploads and overlays). */
    private static final String CSP = "default-src 'self'; img-src 'self' blob: data:; object-src 'none';"
            + " base-uri 'none'; frame-ancestors 'none'";

    private final Map<String, byte[]> files = new LinkedHashMap<>();

    /** Reads the page's files; a jar without them is a build error, reported at once. */
    public WebPage() {
        for (String name : ASSETS.keySet()) {
            try (InputStream in = WebPage.class.getResourceAsStream(BASE + name)) {
                if (in == null) {
                    throw new IllegalStateException("the web page's " + name + " is missing from the jar (expected the"
                            + " resource dev/fovea/serve/" + BASE + name + "); rebuild fovea-serve");
                }
                files.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public void configure(JavalinConfig config, InferenceServer server) {
        config.routes.get("/", ctx -> {
            ctx.header("Content-Security-Policy", CSP);
            send(ctx, "index.html");
        });
        config.routes.get("/static/{file}", ctx -> {
            String name = ctx.pathParam("file");
            if (name.equals("index.html") || !ASSETS.containsKey(name)) {
                throw new ApiError(404, "no static file '" + name + "'; the page's files are /static/app.js and"
                        + " /static/app.css, and the page itself is at /");
            }
            send(ctx, name);
        });
    }

    private void send(Context ctx, String name) {
        byte[] body = files.get(name);
        // The page changes with the server version, not by date: revalidate rather than cache stale code.
        ctx.header("Cache-Control", "no-cache");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.attribute("fovea.bytes", body.length);
        ctx.contentType(ASSETS.get(name)).result(body);
    }
}
