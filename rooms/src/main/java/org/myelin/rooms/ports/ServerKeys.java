package org.myelin.rooms.ports;

import org.myelin.protocol.event.Pdu;

/**
 * Checks a server's signature on an event with that server's published keys (fetched and cached
 * by federation). Declared here so the pipeline can check remote events without depending on
 * federation.
 */
@FunctionalInterface
public interface ServerKeys {

    /** Whether {@code serverName} validly signed {@code event} (redacted form, keys valid at its time). */
    boolean isSignedBy(Pdu event, String serverName);
}
