package org.myelin.server.client.keys.backup;

import org.myelin.storage.keys.backup.KeyBackupRepository.SessionKey;

/**
 * Which of two backed-up keys of one megolm session the server keeps (client-server API,
 * "Server-side key backups"): the verified one if they differ in {@code is_verified}; else the one
 * with the lower {@code first_message_index} (it decrypts more of the session); else the one with
 * the lower {@code forwarded_count}. On a tie the stored key stays. (Synapse lets a lower index or
 * count win over {@code is_verified}; the spec puts {@code is_verified} first.)
 */
public final class SessionKeyRule {

    private SessionKeyRule() {
    }

    /** Whether {@code candidate}, just uploaded, replaces {@code stored}. */
    public static boolean replaces(SessionKey candidate, SessionKey stored) {
        if (candidate.verified() != stored.verified()) {
            return candidate.verified();
        }
        if (candidate.firstMessageIndex() != stored.firstMessageIndex()) {
            return candidate.firstMessageIndex() < stored.firstMessageIndex();
        }
        return candidate.forwardedCount() < stored.forwardedCount();
    }
}
