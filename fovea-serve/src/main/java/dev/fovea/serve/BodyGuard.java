package dev.fovea.serve;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The server's two limits on request bodies that a route cannot set itself, as a Jetty handler in
 * front of Javalin (every read of a body passes here, the multipart parser's included):
 * <ul>
 * <li><b>Memory</b>: a request with a body holds its declared length (or {@code --max-body-mb}
 * when chunked without one) of the {@link DecodeBudget} from the moment its headers arrive until
 * its answer is sent, since its bytes sit in the heap as long as the request runs. A body that
 * does not fit waits, like a decode, until the request's deadline ({@code --timeout-ms}); then
 * the request is marked {@link #REFUSED} and the server answers 503 with {@code Retry-After}
 * without reading it.</li>
 * <li><b>Time</b>: the whole body must arrive within {@code --read-timeout-ms} of the request's
 * start. A read after that, or a read still waiting for bytes then, fails with
 * {@link BodyTimeout}, which the server answers with 408 (Jetty's idle timeout restarts with
 * every byte, so a client sending one byte a second would otherwise hold a thread and its
 * memory for hours).</li>
 * </ul>
 * Lifecycle: one instance per server, installed before Javalin attaches its servlet handler
 * behind it.
 */
final class BodyGuard extends Handler.Wrapper {
    /** Request attribute set, to the refusal's message, when the body's memory could not be held in time. */
    static final String REFUSED = "fovea.body.refused";

    /** A body that had not arrived whole by the read deadline; the server answers 408 with this message. */
    static final class BodyTimeout extends IOException {
        BodyTimeout(String message) {
            super(message);
        }
    }

    private final DecodeBudget budget;
    private final ServeOptions options;

    BodyGuard(DecodeBudget budget, ServeOptions options) {
        this.budget = budget;
        this.options = options;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long start = System.nanoTime();
        long length = request.getLength();
        boolean hasBody = length > 0 || length < 0 && request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
        // A declared length over --max-body-mb is refused with 413 unread: nothing to hold.
        if (!hasBody || length > options.maxBodyBytes()) {
            return super.handle(request, response, callback);
        }
        long want = length > 0 ? length : options.maxBodyBytes();
        long held = reserve(want, start + TimeUnit.MILLISECONDS.toNanos(options.timeoutMillis()));
        if (held < 0) {
            request.setAttribute(REFUSED, String.format(Locale.ROOT, "the request's body of %,d bytes%s does not"
                    + " fit in the server's decode memory (%,d MB, half the heap) beside the bodies and images other"
                    + " requests hold, within this request's deadline (%,d ms, --timeout-ms); retry shortly or send"
                    + " a smaller image", want, length > 0 ? "" : " (at most, --max-body-mb: its length is not"
                    + " declared)", (budget.capacity() + (1 << 20) - 1) >> 20, options.timeoutMillis()));
            return super.handle(request, response, callback);
        }
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                budget.release(held);
            }
        };
        Request timed = new Deadline(request, start + TimeUnit.MILLISECONDS.toNanos(options.readTimeoutMillis()),
                options.readTimeoutMillis());
        boolean handled;
        try {
            handled = super.handle(timed, response, Callback.from(callback, release));
        } catch (Exception | Error e) {
            release.run();
            throw e;
        }
        if (!handled) {
            release.run(); // the callback given on is not ours to complete then
        }
        return handled;
    }

    /** {@link DecodeBudget#reserve}, −1 when interrupted (the server is stopping) as when the deadline passed. */
    private long reserve(long bytes, long deadline) {
        try {
            return budget.reserve(bytes, deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * The request with a read deadline: reads fail with {@link BodyTimeout} once it has passed,
     * and a wait for bytes is woken at the deadline (once: by the bytes or by the deadline).
     */
    private static final class Deadline extends Request.Wrapper {
        private final long deadline;
        private final long timeoutMillis;
        private volatile Content.Chunk failure;
        private volatile long received;

        Deadline(Request request, long deadline, long timeoutMillis) {
            super(request);
            this.deadline = deadline;
            this.timeoutMillis = timeoutMillis;
        }

        private boolean late() {
            if (failure == null && System.nanoTime() - deadline >= 0) {
                long declared = getLength();
                failure = Content.Chunk.from(new BodyTimeout(String.format(Locale.ROOT, "the request body did not"
                        + " arrive within %,d ms (--read-timeout-ms): %,d bytes received%s; send the whole body at"
                        + " once, or raise --read-timeout-ms for slow links", timeoutMillis, received,
                        declared > 0 ? String.format(Locale.ROOT, " of the %,d declared", declared) : "")));
            }
            return failure != null;
        }

        @Override
        public Content.Chunk read() {
            if (late()) {
                return failure;
            }
            Content.Chunk c = super.read();
            if (c != null) {
                received += c.remaining();
            }
            return c;
        }

        @Override
        public void demand(Runnable onContent) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || late()) {
                onContent.run();
                return;
            }
            AtomicBoolean once = new AtomicBoolean();
            Runnable wake = () -> {
                if (once.compareAndSet(false, true)) {
                    onContent.run();
                }
            };
            Scheduler.Task timer = getComponents().getScheduler().schedule(wake, left, TimeUnit.NANOSECONDS);
            super.demand(() -> {
                timer.cancel();
                wake.run();
            });
        }
    }
}
