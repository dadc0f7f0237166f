package org.myelin.server.http;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a handler answers with a file's bytes ({@link Handlers#blockingFile}): its status, headers
 * and the part of the file to send. Sent with {@code sendfile}, from the file to the socket,
 * never through the heap; Vert.x sets {@code Content-Length} to {@code length}.
 *
 * @param file   the file, or null for a response without a body
 * @param offset the first byte of {@code file} to send
 * @param length how many bytes to send
 */
public record FileResponse(int status, Map<String, String> headers, Path file, long offset, long length)
        implements FileReply {

    public FileResponse {
        headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        if (file != null && (offset < 0 || length < 0)) {
            throw new IllegalArgumentException("offset and length must not be negative");
        }
    }

    /** A response without a body, such as 416 with its {@code Content-Range}. */
    public static FileResponse empty(int status, Map<String, String> headers) {
        return new FileResponse(status, headers, null, 0, 0);
    }

    @Override
    public void send(RoutingContext ctx) {
        HttpServerResponse response = ctx.response().setStatusCode(status);
        headers.forEach(response::putHeader);
        if (file == null) {
            response.putHeader("Content-Length", "0").end();
            return;
        }
        response.sendFile(file.toString(), offset, length).onFailure(e -> {
            if (response.headWritten()) {
                response.reset(); // the file went away midway: the client must not take a part for the whole
            } else {
                ctx.fail(e);
            }
        });
    }
}
