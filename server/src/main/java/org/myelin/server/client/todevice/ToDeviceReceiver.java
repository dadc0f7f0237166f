package org.myelin.server.client.todevice;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.federation.inbound.DirectToDevice;
import org.myelin.protocol.id.UserId;
import org.myelin.rooms.LocalServer;
import org.myelin.storage.streams.ToDeviceRepository.Batch;
import org.myelin.storage.streams.ToDeviceRepository.LocalRecipient;
import org.myelin.storage.streams.ToDeviceRepository.Origin;
import org.myelin.storage.streams.ToDeviceRepository.Outcome;
import org.myelin.storage.streams.ToDeviceRepository.Stored;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * To-device messages other servers send (server-server API, "Send-to-device messaging"): an
 * {@code m.direct_to_device} EDU, whose sender the transaction receiver has checked belongs to the
 * sending server, goes into the inboxes of our users' devices it names ({@code *}, alone, for
 * all of a user's devices), once per origin and {@code message_id}. Messages for users of other
 * servers are skipped.
 */
public final class ToDeviceReceiver implements BiConsumer<String, DirectToDevice> {

    private static final Logger LOG = LoggerFactory.getLogger(ToDeviceReceiver.class);

    private final ToDeviceInbox inbox;
    private final LocalServer local;
    private final Clock clock;

    ToDeviceReceiver(ToDeviceInbox inbox, LocalServer local, Clock clock) {
        this.inbox = inbox;
        this.local = local;
        this.clock = clock;
    }

    @Override
    public void accept(String origin, DirectToDevice edu) {
        List<LocalRecipient> recipients = new ArrayList<>();
        Set<String> users = new LinkedHashSet<>();
        for (Map.Entry<String, Map<String, ObjectNode>> user : edu.messages().entrySet()) {
            String userId = user.getKey();
            if (!UserId.isValid(userId) || !local.isLocalUser(userId)) {
                LOG.info("Skipping a to-device message from {} for {}, not a user of ours", origin, userId);
                continue;
            }
            users.add(userId);
            Map<String, ObjectNode> byDevice = user.getValue();
            if (byDevice.size() == 1 && byDevice.containsKey(ToDeviceSender.ALL_DEVICES)) {
                recipients.add(new LocalRecipient(userId, null, ToDeviceInbox.text(byDevice.get(ToDeviceSender.ALL_DEVICES))));
            } else {
                byDevice.forEach((device, content) ->
                        recipients.add(new LocalRecipient(userId, device, ToDeviceInbox.text(content))));
            }
        }
        if (recipients.isEmpty()) {
            return;
        }
        Stored stored = inbox.store(new Batch(new Origin.FederationMessage(origin, edu.messageId()), edu.sender(),
                edu.type(), recipients, List.of(), ToDeviceSender.MAX_DELIVERIES, clock.millis()), users);
        if (stored.outcome() == Outcome.TOO_MANY) {
            LOG.warn("Dropping to-device EDU {} from {}: more than {} devices", edu.messageId(), origin,
                    ToDeviceSender.MAX_DELIVERIES);
        }
    }
}
