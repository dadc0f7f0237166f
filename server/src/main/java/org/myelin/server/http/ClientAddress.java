package org.myelin.server.http;

import io.netty.util.NetUtil;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.util.List;

/**
 * The address of the client a request comes from, as registration on loopback only, the rate
 * limits per address, a device's last-seen address and the access log use it: the peer of the
 * connection, or, on a listener behind a reverse proxy ({@code x_forwarded: true}, as Synapse's
 * option), the last address of {@code X-Forwarded-For}.
 *
 * <p>The last one, where Synapse takes the first: a proxy appends the address it saw to what
 * the client sent, so only the last entry is the proxy's word, and a client cannot pass for
 * another address (least of all 127.0.0.1) by sending the header itself. A request through the
 * proxy without the header is taken from the connection, as Synapse does.
 *
 * <p>Always an IP literal or null (unknown), never a name: callers look it up with
 * {@link InetAddress#getByName}, which must not turn into a DNS query.
 */
public final class ClientAddress {

    private static final String FORWARDED_KEY = "myelin.xForwarded";
    private static final String ADDRESS_KEY = "myelin.clientAddress";

    private ClientAddress() {}

    /** A router handler that marks the requests of a listener behind a reverse proxy. */
    static Handler<RoutingContext> behindProxy() {
        return ctx -> {
            ctx.put(FORWARDED_KEY, Boolean.TRUE);
            ctx.next();
        };
    }

    /** The request's client address, worked out once per request (most requests never ask). */
    public static String of(RoutingContext ctx) {
        String known = ctx.get(ADDRESS_KEY);
        if (known != null) {
            return known;
        }
        String address = Boolean.TRUE.equals(ctx.get(FORWARDED_KEY))
                ? forwardedOrPeer(ctx.request()) : peer(ctx.request());
        if (address != null) {
            ctx.put(ADDRESS_KEY, address);
        }
        return address;
    }

    /** The address of a request the router never saw (refused by the HTTP decoder): its peer's. */
    static String peer(HttpServerRequest request) {
        // The connection's own address: the request's goes through Vert.x Web's forwarded-header
        // parsing, a few per cent of a busy server's CPU.
        SocketAddress remote = request.connection().remoteAddress();
        return remote == null ? null : remote.hostAddress();
    }

    private static String forwardedOrPeer(HttpServerRequest request) {
        List<String> headers = request.headers().getAll("X-Forwarded-For");
        if (headers.isEmpty()) {
            return peer(request);
        }
        String list = headers.getLast();
        return literal(list.substring(list.lastIndexOf(',') + 1).trim());
    }

    /** {@code entry} as an IP address in its usual form, or null if it is not an IP literal. */
    static String literal(String entry) {
        String host = entry;
        if (host.startsWith("[") && host.indexOf(']') > 0) {
            host = host.substring(1, host.indexOf(']')); // [2001:db8::1]:443
        } else if (host.indexOf(':') > 0 && host.indexOf(':') == host.lastIndexOf(':')) {
            host = host.substring(0, host.indexOf(':')); // 203.0.113.7:51234
        }
        InetAddress address = NetUtil.createInetAddressFromIpAddressString(host);
        return address == null ? null : address.getHostAddress();
    }
}
