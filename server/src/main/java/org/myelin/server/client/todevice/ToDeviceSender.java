package org.myelin.server.client.todevice;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.id.UserId;
import org.myelin.rooms.LocalServer;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.streams.ToDeviceRepository.Batch;
import org.myelin.storage.streams.ToDeviceRepository.LocalRecipient;
import org.myelin.storage.streams.ToDeviceRepository.Origin;
import org.myelin.storage.streams.ToDeviceRepository.Outcome;
import org.myelin.storage.streams.ToDeviceRepository.RemoteEdu;
import org.myelin.storage.streams.ToDeviceRepository.Stored;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A client's to-device messages (client-server API, "Send-to-Device messaging"): those for our
 * users go into their devices' inboxes ({@code *}, alone, for every device of the user; a device
 * that does not exist gets nothing, as in Synapse); those for other servers' users go out as
 * {@code m.direct_to_device} EDUs, grouped per destination, through its outbound queue. Both are
 * stored in one transaction with the request's transaction id, so a retried request sends nothing
 * twice, and then the destinations' queues are woken.
 */
public final class ToDeviceSender {

    /**
     * The most devices one request may reach, every {@code *} of our users counted as their
     * devices (another server's {@code *} as one): a request is a batch of a client's key shares,
     * not a broadcast. Synapse sets none; clients send a few hundred at a time.
     */
    public static final int MAX_DELIVERIES = 10_000;
    static final String ALL_DEVICES = "*";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private final ToDeviceInbox inbox;
    private final LocalServer local;
    private final Consumer<String> queued;
    private final Clock clock;

    /** @param queued told of each destination for which EDUs were queued */
    ToDeviceSender(ToDeviceInbox inbox, LocalServer local, Consumer<String> queued, Clock clock) {
        this.inbox = inbox;
        this.local = local;
        this.queued = queued;
        this.clock = clock;
    }

    /**
     * Sends {@code messages} (by user, then device) of {@code type} from the requester's device,
     * once per {@code txnId}. Invalid user ids are skipped, as Synapse skips them.
     */
    public void send(Requester requester, String type, String txnId, Map<String, Map<String, ObjectNode>> messages) {
        List<LocalRecipient> localRecipients = new ArrayList<>();
        Set<String> localUsers = new LinkedHashSet<>();
        Map<String, Map<String, Map<String, ObjectNode>>> byServer = new LinkedHashMap<>();
        int named = 0;
        for (Map.Entry<String, Map<String, ObjectNode>> user : messages.entrySet()) {
            String userId = user.getKey();
            Map<String, ObjectNode> byDevice = user.getValue();
            if (!UserId.isValid(userId) || byDevice.isEmpty()) {
                continue;
            }
            if (local.isLocalUser(userId)) {
                localUsers.add(userId);
                if (byDevice.size() == 1 && byDevice.containsKey(ALL_DEVICES)) {
                    localRecipients.add(new LocalRecipient(userId, null, ToDeviceInbox.text(byDevice.get(ALL_DEVICES))));
                    continue;
                }
                byDevice.forEach((device, content) ->
                        localRecipients.add(new LocalRecipient(userId, device, ToDeviceInbox.text(content))));
            } else {
                byServer.computeIfAbsent(Pdu.domainOf(userId), s -> new LinkedHashMap<>()).put(userId, byDevice);
            }
            named += byDevice.size();
        }
        if (named > MAX_DELIVERIES) {
            throw tooMany();
        }
        List<RemoteEdu> remote = new ArrayList<>();
        byServer.forEach((destination, byUser) -> {
            for (byte[] edu : DirectToDeviceEdus.split(requester.userId(), type, byUser, ToDeviceSender::messageId)) {
                remote.add(new RemoteEdu(destination, edu));
            }
        });
        int remoteDeliveries = byServer.values().stream().flatMap(m -> m.values().stream()).mapToInt(Map::size).sum();
        Stored stored = inbox.store(new Batch(new Origin.ClientTransaction(requester.userId(), requester.deviceId(),
                txnId), requester.userId(), type, localRecipients, remote, MAX_DELIVERIES - remoteDeliveries,
                clock.millis()), localUsers);
        if (stored.outcome() == Outcome.TOO_MANY) {
            throw tooMany();
        }
        if (stored.outcome() == Outcome.STORED) {
            byServer.keySet().forEach(queued);
        }
    }

    private static MatrixException tooMany() {
        return MatrixException.tooLarge("A request may send to at most " + MAX_DELIVERIES + " devices");
    }

    /** A {@code message_id}: 16 random letters and digits, as Synapse makes them. */
    private static String messageId() {
        char[] id = new char[16];
        for (int i = 0; i < id.length; i++) {
            id[i] = ID_CHARS[RANDOM.nextInt(ID_CHARS.length)];
        }
        return new String(id);
    }
}
