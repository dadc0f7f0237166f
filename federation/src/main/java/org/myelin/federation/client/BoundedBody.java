package org.myelin.federation.client;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;

import java.io.IOException;

/**
 * Reads a whole answer's body, up to a limit past which the exchange is reset and the read
 * fails: what every outbound client does with an answer it parses whole (federation JSON, push
 * gateways, identity servers, application services). Called in the turn the response arrived,
 * on its context ({@link OnEventLoop}).
 */
public final class BoundedBody {

    private BoundedBody() {
    }

    /** The body of {@code response}; fails once it passes {@code maxBytes}. */
    public static Future<byte[]> read(HttpClientResponse response, int maxBytes) {
        Promise<byte[]> promise = Promise.promise();
        Buffer received = Buffer.buffer();
        response.exceptionHandler(promise::tryFail);
        response.handler(chunk -> {
            if (received.length() + chunk.length() > maxBytes) {
                promise.tryFail(new IOException("answer larger than " + maxBytes + " bytes"));
                response.request().reset();
            } else {
                received.appendBuffer(chunk);
            }
        });
        response.endHandler(v -> promise.tryComplete(received.getBytes()));
        return promise.future();
    }
}
