package org.myelin.server.client.todevice;

import org.myelin.rooms.LocalServer;
import org.myelin.server.streams.Streams;
import org.myelin.storage.streams.ToDeviceRepository;

import java.time.Clock;
import java.util.function.Consumer;

/**
 * To-device messaging (client-server API, "Send-to-Device messaging"; server-server API,
 * "Send-to-device messaging"), wired by constructors: what our clients send, and what other
 * servers send, both into the same inboxes that /sync reads.
 */
public final class ToDeviceServices {

    public final ToDeviceSender sender;
    public final ToDeviceReceiver receiver;

    /** @param queued told of each destination for which {@code m.direct_to_device} EDUs were queued */
    public ToDeviceServices(ToDeviceRepository repository, Streams streams, LocalServer local, Consumer<String> queued,
                            Clock clock) {
        ToDeviceInbox inbox = new ToDeviceInbox(repository, streams, clock);
        this.sender = new ToDeviceSender(inbox, local, queued, clock);
        this.receiver = new ToDeviceReceiver(inbox, local, clock);
        this.inbox = inbox;
    }

    private final ToDeviceInbox inbox;

    /** Who hears of each batch stored for this server's devices (application services); one listener. */
    public void onStored(java.util.function.Consumer<org.myelin.storage.streams.ToDeviceRepository.Batch> listener) {
        inbox.stored = listener;
    }
}
