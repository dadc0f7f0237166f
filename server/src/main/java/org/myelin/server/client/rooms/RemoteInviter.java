package org.myelin.server.client.rooms;

import org.myelin.rooms.pipeline.Input;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.MatrixException;

/**
 * Inviting a user of another server (server-server API, "Inviting to a room"): the invite event
 * must be signed by the invitee's server ({@code PUT /_matrix/federation/v2/invite}) before this
 * server commits it. Declared here, implemented by federation.
 */
@FunctionalInterface
public interface RemoteInviter {

    /**
     * Has the invitee's server countersign {@code invite} (an {@code m.room.member} invite built
     * by the caller) and commits it; returns its event id.
     */
    String invite(Input.LocalEvent invite);

    /** No federation: users of other servers cannot be invited. */
    RemoteInviter UNAVAILABLE = invite -> {
        throw MatrixException.of(ErrCode.M_UNKNOWN, "Cannot invite " + invite.stateKey()
                + ": federation is not available").withStatus(502);
    };
}
