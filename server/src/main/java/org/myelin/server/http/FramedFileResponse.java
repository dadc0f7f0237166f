package org.myelin.server.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A 200 whose body is {@code head}, then the first {@code length} bytes of {@code file}, then
 * {@code tail}: a file inside a {@code multipart/mixed} answer (the federation media endpoints).
 * The file is piped from disk to the socket as the socket takes it, a chunk at a time;
 * {@code sendfile} cannot be used, as it must be a response's only body. {@code Content-Length}
 * is the sum of the three.
 */
public record FramedFileResponse(Map<String, String> headers, byte[] head, Path file, long length, byte[] tail)
        implements FileReply {

    private static final int CHUNK_BYTES = 64 * 1024;

    public FramedFileResponse {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative");
        }
    }

    @Override
    public void send(RoutingContext ctx) {
        HttpServerResponse response = ctx.response();
        ctx.vertx().fileSystem().open(file.toString(), new OpenOptions().setRead(true).setWrite(false))
                .onFailure(ctx::fail)
                .onSuccess(opened -> {
                    AsyncFile content = opened.setReadLength(length).setReadBufferSize(CHUNK_BYTES);
                    response.setStatusCode(200);
                    headers.forEach(response::putHeader);
                    response.putHeader("Content-Length", Long.toString(head.length + length + tail.length));
                    response.write(Buffer.buffer(head));
                    content.pipe().endOnSuccess(false).to(response)
                            .onSuccess(v -> {
                                content.close();
                                response.end(Buffer.buffer(tail));
                            })
                            .onFailure(e -> {
                                content.close();
                                response.reset(); // a part must not be taken for the whole
                            });
                });
    }
}
