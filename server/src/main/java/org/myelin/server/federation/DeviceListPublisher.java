package org.myelin.server.federation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.federation.outbound.Edu;
import org.myelin.protocol.json.CanonicalJson;
import org.myelin.rooms.LocalServer;
import org.myelin.server.client.keys.ServedKeys;
import org.myelin.server.http.Json;
import org.myelin.storage.keys.DeviceListOutboundRepository;
import org.myelin.storage.keys.DeviceListOutboundRepository.DeviceUpdate;
import org.myelin.storage.keys.DeviceListOutboundRepository.Published;
import org.myelin.storage.keys.DeviceListOutboundRepository.SentDevice;
import org.myelin.storage.keys.DeviceListOutboundRepository.Snapshot;
import org.myelin.storage.rooms.MembershipRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;

/**
 * Tells other servers of our users' device list changes (server-server API, "Device Management"):
 * after each committed change, the user's list is compared with the one last told, and each
 * device added, changed or deleted is an {@code m.device_list_update} EDU (its {@code stream_id}
 * and {@code prev_id} chaining the user's updates), a new master or self-signing key an
 * {@code m.signing_key_update}; both go to every server sharing a room with the user, through the
 * per-destination queue. Runs beside the request that made the change, not in it.
 */
final class DeviceListPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceListPublisher.class);

    private final LocalServer local;
    private final ServedKeys keys;
    private final DeviceListOutboundRepository told;
    private final MembershipRepository memberships;
    private final BiConsumer<Set<String>, Edu> send;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();

    DeviceListPublisher(LocalServer local, ServedKeys keys, DeviceListOutboundRepository told,
                        MembershipRepository memberships, BiConsumer<Set<String>, Edu> send) {
        this.local = local;
        this.keys = keys;
        this.told = told;
        this.memberships = memberships;
        this.send = send;
    }

    /** The device list of {@code userId} (one of ours) changed. */
    void changed(String userId) {
        workers.submit(() -> {
            try {
                publish(userId);
            } catch (RuntimeException e) {
                LOG.warn("Telling other servers of {}'s device list failed", userId, e);
            }
        });
    }

    void publish(String userId) {
        Published published = told.publish(userId, () -> snapshot(keys.deviceList(userId)));
        if (published.devices().isEmpty() && !published.signingKeysChanged()) {
            return;
        }
        Set<String> destinations = new LinkedHashSet<>(memberships.serversSharingARoomWith(userId));
        destinations.remove(local.serverName());
        if (destinations.isEmpty()) {
            return;
        }
        for (DeviceUpdate update : published.devices()) {
            send.accept(destinations, new Edu("m.device_list_update", content(userId, update)));
        }
        if (published.signingKeysChanged()) {
            ObjectNode content = Json.MAPPER.createObjectNode().put("user_id", userId);
            if (published.masterKey() != null) {
                content.set("master_key", parse(published.masterKey()));
            }
            if (published.selfSigningKey() != null) {
                content.set("self_signing_key", parse(published.selfSigningKey()));
            }
            send.accept(destinations, new Edu("m.signing_key_update", content));
        }
    }

    private static ObjectNode content(String userId, DeviceUpdate update) {
        ObjectNode content = Json.MAPPER.createObjectNode().put("user_id", userId).put("device_id", update.deviceId())
                .put("stream_id", update.streamId());
        var prev = content.putArray("prev_id");
        if (update.prevId() != null) {
            prev.add(update.prevId());
        }
        content.put("deleted", update.deleted());
        if (!update.deleted()) {
            content.set("keys", parse(update.device().keysJson()));
            if (update.device().displayName() != null) {
                content.put("device_display_name", update.device().displayName());
            }
        }
        return content;
    }

    private static Snapshot snapshot(ServedKeys.DeviceList list) {
        Map<String, SentDevice> devices = new TreeMap<>();
        list.devices().forEach((id, d) -> devices.put(id, new SentDevice(CanonicalJson.encodeToString(d.keys()),
                d.displayName())));
        return new Snapshot(devices, list.masterKey() == null ? null : CanonicalJson.encodeToString(list.masterKey()),
                list.selfSigningKey() == null ? null : CanonicalJson.encodeToString(list.selfSigningKey()));
    }

    private static ObjectNode parse(String json) {
        return org.myelin.protocol.json.MatrixJson.parseObject(json.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                org.myelin.protocol.json.MatrixJson.Numbers.LENIENT);
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
