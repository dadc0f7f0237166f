package org.myelin.server.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log: one line per request on the logger {@code org.myelin.access} (Synapse's
 * {@code synapse.access}), written when the response has been sent or the connection lost:
 *
 * <pre>203.0.113.7 @alice:example.org "GET /_matrix/client/v3/sync?access_token=&lt;redacted&gt;" 200 1234B 17ms "Element/1.11"</pre>
 *
 * <p>the client address ({@link ClientAddress}), who made the request (the user of its access
 * token, the server of its X-Matrix signature, {@code -} when none), the method and the path with
 * its query, access tokens and client secrets masked, the status ({@code !} after it when the
 * connection was lost first), the bytes of the response body, the time from arrival to the end
 * of the response, and the user agent. {@code GET /health} and CORS preflights are logged at
 * DEBUG only. Its level is its own ({@code logback.xml}); when it is off this costs nothing.
 */
public final class AccessLog implements Handler<RoutingContext> {

    private static final Logger LOG = LoggerFactory.getLogger("org.myelin.access");
    private static final String REQUESTER_KEY = "myelin.access.requester";
    private static final String STARTED_KEY = "myelin.access.started";
    private static final Pattern SECRET_PARAMETER = Pattern.compile("(?<=[?&])(access_token|client_secret)=[^&]*");

    /** Names who made a request, for its line: a user id, or a server name for federation. */
    public static void identify(RoutingContext ctx, String requester) {
        ctx.put(REQUESTER_KEY, requester);
    }

    @Override
    public void handle(RoutingContext ctx) {
        // Health checks and CORS preflights come all the time and say nothing: DEBUG, as Synapse.
        boolean routine = ctx.request().method() == HttpMethod.OPTIONS || "/health".equals(ctx.request().path());
        boolean logged = routine ? LOG.isDebugEnabled() : LOG.isInfoEnabled();
        if (logged && ctx.get(STARTED_KEY) == null) { // once: a rerouted request comes back here
            long started = System.nanoTime();
            ctx.put(STARTED_KEY, started);
            String method = ctx.request().method().name();
            String uri = ctx.request().uri();
            ctx.addEndHandler(ended -> {
                String line = line(ClientAddress.of(ctx), ctx.get(REQUESTER_KEY), method, uri,
                        status(ctx.response().getStatusCode(), ctx.response().ended()), ctx.response().bytesWritten(),
                        started, ctx.request().getHeader("User-Agent"));
                if (routine) {
                    LOG.debug(line);
                } else {
                    LOG.info(line);
                }
            });
        }
        ctx.next();
    }

    /** Logs a request refused by the HTTP decoder, which no router saw. */
    static void refused(HttpServerRequest request, int status, long started) {
        if (LOG.isInfoEnabled()) {
            LOG.info(line(ClientAddress.peer(request), null, request.method().name(), request.uri(),
                    Integer.toString(status), request.response().bytesWritten(), started,
                    request.getHeader("User-Agent")));
        }
    }

    private static String status(int code, boolean sent) {
        return sent ? Integer.toString(code) : code + "!";
    }

    private static String line(String client, String requester, String method, String uri, String status, long bytes,
                               long started, String userAgent) {
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        return (client == null ? "-" : client) + " " + (requester == null ? "-" : requester) + " \"" + method + " "
                + redact(uri) + "\" " + status + " " + bytes + "B " + ms + "ms \"" + (userAgent == null ? "-" : userAgent)
                + "\"";
    }

    /** {@code uri} with the values of secret query parameters replaced. */
    static String redact(String uri) {
        return uri.indexOf('?') < 0 ? uri : SECRET_PARAMETER.matcher(uri).replaceAll("$1=<redacted>");
    }
}
