package org.myelin.server.client.profile;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A user's global display name and avatar (client-server API, "Profiles"), either possibly null.
 */
public record Profile(String displayname, String avatarUrl) {

    /**
     * Puts the fields that are set into an {@code m.room.member} content, as the spec asks of
     * membership events a server emits for its own users ("Events on Change of Profile
     * Information").
     */
    public ObjectNode addTo(ObjectNode memberContent) {
        if (displayname != null) {
            memberContent.put("displayname", displayname);
        }
        if (avatarUrl != null) {
            memberContent.put("avatar_url", avatarUrl);
        }
        return memberContent;
    }
}
