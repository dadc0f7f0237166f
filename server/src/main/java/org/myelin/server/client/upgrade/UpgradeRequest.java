package org.myelin.server.client.upgrade;

import org.myelin.protocol.id.UserId;
import org.myelin.server.http.MatrixException;

import java.util.List;

/**
 * The body of {@code POST /_matrix/client/v3/rooms/{roomId}/upgrade}: the new room version and,
 * for versions with creators (v12), the other users to make creators of the new room.
 */
public record UpgradeRequest(String newVersion, List<String> additionalCreators) {

    public UpgradeRequest {
        if (newVersion == null) {
            throw MatrixException.missingParam("Missing new_version");
        }
        additionalCreators = additionalCreators == null ? List.of() : List.copyOf(additionalCreators);
        for (String user : additionalCreators) {
            if (!UserId.isValid(user)) {
                throw MatrixException.invalidParam("Invalid user id in additional_creators: " + user);
            }
        }
    }
}
