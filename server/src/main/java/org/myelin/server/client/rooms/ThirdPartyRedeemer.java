package org.myelin.server.client.rooms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.MatrixException;

/**
 * Turns a third-party invite into a membership invite, given the identity server's signed block
 * (server-server API, "Third-party invites"): here if this server may send it, else through the
 * inviter's server. Declared here for joins with {@code third_party_signed}; implemented by
 * federation.
 */
@FunctionalInterface
public interface ThirdPartyRedeemer {

    /**
     * Invites {@code target} to the room for {@code sender}, who sent the
     * {@code m.room.third_party_invite} of {@code signed.token}; a Matrix error if it cannot.
     */
    void redeem(String roomId, String sender, String target, ObjectNode signed);

    /** No federation: third-party invites cannot be redeemed. */
    ThirdPartyRedeemer UNAVAILABLE = (roomId, sender, target, signed) -> {
        throw MatrixException.of(ErrCode.M_UNKNOWN, "Third-party invites cannot be redeemed: federation is not "
                + "available").withStatus(502);
    };
}
