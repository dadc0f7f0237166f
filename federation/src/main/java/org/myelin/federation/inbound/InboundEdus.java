package org.myelin.federation.inbound;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Where EDUs received in transactions go (server-server API, "EDUs", "Typing Notifications",
 * "Receipts", "Presence"). The transaction receiver has already checked that each user belongs
 * to the sending server and that the room's ACL admits it; what to store and whom to notify is the
 * implementer's (the sync side). Calls must not throw for bad data; they may block briefly.
 */
public interface InboundEdus {

    /** {@code m.typing}: a user of {@code origin} started or stopped typing in a room. */
    void typing(String origin, Typing typing);

    /** {@code m.receipt}: one user's receipt in one room. */
    void receipt(String origin, Receipt receipt);

    /** {@code m.presence}: one user's presence. */
    void presence(String origin, Presence presence);

    /**
     * {@code m.direct_to_device}: to-device messages from a user of {@code origin} (checked). May
     * throw a storage failure, which fails the transaction so that the sender retries.
     */
    default void toDevice(String origin, DirectToDevice message) {
        LoggerFactory.getLogger(InboundEdus.class).debug("Dropping to-device EDU {} from {}", message.messageId(),
                origin);
    }

    /** Any other EDU type (device lists, to-device messages, signing key updates …). */
    void other(String origin, String eduType, ObjectNode content);

    /**
     * Device list EDUs ({@code m.device_list_update}, {@code m.signing_key_update}), checked to be
     * about a user of the sending server; they go to their own handler, which caches remote users'
     * device lists.
     */
    interface DeviceLists {
        void deviceListUpdate(String origin, DeviceListUpdate update);

        void signingKeyUpdate(String origin, SigningKeyUpdate update);

        /** Until a handler is set: each is logged (debug) and dropped. */
        DeviceLists DROP = new DeviceLists() {
            @Override
            public void deviceListUpdate(String origin, DeviceListUpdate update) {
                LoggerFactory.getLogger(InboundEdus.class).debug("Dropping a device list update from {}", origin);
            }

            @Override
            public void signingKeyUpdate(String origin, SigningKeyUpdate update) {
                LoggerFactory.getLogger(InboundEdus.class).debug("Dropping a signing key update from {}", origin);
            }
        };
    }

    /**
     * {@code m.device_list_update}: one device of a user was added, changed or deleted.
     *
     * @param displayName null if none
     * @param prevIds     the stream ids of the updates this one follows (empty for the first)
     * @param keys        the device's keys, null when deleted
     */
    record DeviceListUpdate(String userId, String deviceId, String displayName, long streamId, List<Long> prevIds,
                            boolean deleted, ObjectNode keys) {
    }

    /** {@code m.signing_key_update}: a user's new master and/or self-signing key (each null if unchanged). */
    record SigningKeyUpdate(String userId, ObjectNode masterKey, ObjectNode selfSigningKey) {
    }

    /** @param typing whether the user is typing now */
    record Typing(String roomId, String userId, boolean typing) {
    }

    /**
     * @param receiptType such as {@code m.read}
     * @param eventIds    the events read up to (one, per the spec)
     * @param data        the receipt's metadata: {@code ts}, optionally {@code thread_id}
     */
    record Receipt(String roomId, String receiptType, String userId, List<String> eventIds, ObjectNode data) {
    }

    /**
     * @param presence        {@code online}, {@code unavailable} or {@code offline}
     * @param statusMessage   null if none
     * @param lastActiveAgo   milliseconds since the user last did something
     */
    record Presence(String userId, String presence, String statusMessage, long lastActiveAgo,
                    boolean currentlyActive) {
    }

    /** Until the sync side takes EDUs: each is logged (debug) and dropped. */
    InboundEdus LOG_AND_DROP = new InboundEdus() {
        private final Logger log = LoggerFactory.getLogger(InboundEdus.class);

        @Override
        public void typing(String origin, Typing typing) {
            log.debug("Dropping typing EDU from {}: {}", origin, typing);
        }

        @Override
        public void receipt(String origin, Receipt receipt) {
            log.debug("Dropping receipt EDU from {}: {}", origin, receipt);
        }

        @Override
        public void presence(String origin, Presence presence) {
            log.debug("Dropping presence EDU from {}: {}", origin, presence);
        }

        @Override
        public void other(String origin, String eduType, ObjectNode content) {
            log.debug("Dropping {} EDU from {}", eduType, origin);
        }
    };
}
