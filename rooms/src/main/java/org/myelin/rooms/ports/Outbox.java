package org.myelin.rooms.ports;

import org.myelin.protocol.event.Pdu;

import java.util.Set;

/**
 * Where a committed local event goes to reach other servers. Declared here, implemented by
 * federation (its per-destination queues), so rooms never depends on federation.
 */
@FunctionalInterface
public interface Outbox {

    /** Hands {@code event}, already committed, to delivery for {@code destinations}. Must not block. */
    void send(Pdu event, Set<String> destinations);

    Outbox NONE = (event, destinations) -> { };
}
