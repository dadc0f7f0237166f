package org.myelin.server.http;

import io.vertx.ext.web.RoutingContext;

/**
 * What a handler of {@link Handlers#blockingFile} answers with: a file's bytes as they are
 * ({@link FileResponse}), or framed by bytes before and after them ({@link FramedFileResponse}).
 * Either way the file is read from disk as it is sent, never whole into memory.
 */
public sealed interface FileReply permits FileResponse, FramedFileResponse {

    /** Writes the response; on the request's event loop. */
    void send(RoutingContext ctx);
}
