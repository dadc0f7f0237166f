package org.myelin.server.client.keys;

import org.myelin.server.http.MatrixException;

/**
 * One entry of a {@code failures} map (a remote server that could not be reached, a signature that
 * was refused): the fields Synapse sends ({@code status}, {@code errcode}, {@code message}), with
 * the spec's {@code error} beside {@code message}.
 */
public record KeyFailure(int status, String errcode, String error, String message) {

    /** The failure a refused request would have been answered with. */
    public static KeyFailure of(MatrixException e) {
        return new KeyFailure(e.status(), e.errCode().name(), e.getMessage(), e.getMessage());
    }

    /** A remote server that did not answer. */
    public static KeyFailure unreachable(String message) {
        return new KeyFailure(503, null, message, message);
    }
}
