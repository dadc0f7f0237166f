package org.myelin.server.appservice;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.function.Supplier;
import org.myelin.federation.discovery.IpRange;
import org.myelin.protocol.id.UserId;

/**
 * An application service as its registration file declares it (application service API,
 * "Registration"), read by {@link Registrations}.
 *
 * @param id              unique among the registrations; names the service in ping and logs
 * @param url             where the homeserver pushes transactions and sends queries; null: nowhere
 * @param asToken         the token the service uses on the client-server API
 * @param hsToken         the token the homeserver presents to the service
 * @param sender          {@code @sender_localpart:server}, the service's own user
 * @param users           the user id namespaces
 * @param aliases         the room alias namespaces
 * @param rooms           the room id namespaces
 * @param rateLimited     whether the service's users are rate limited (Synapse: yes unless {@code false})
 * @param protocols       the third-party protocols the service bridges
 * @param ephemeral       which ephemeral fields transactions carry, if any
 * @param ipRanges        {@code ip_range_whitelist}: the addresses its token is accepted from; empty: any
 */
public record AppService(String id, URI url, String asToken, String hsToken, UserId sender,
                         List<Namespace> users, List<Namespace> aliases, List<Namespace> rooms,
                         boolean rateLimited, List<String> protocols, Ephemeral ephemeral,
                         List<IpRange> ipRanges) {

    /**
     * Whether and how a service receives typing, receipts, presence and to-device messages in
     * its transactions: {@code receive_ephemeral} puts them under {@code ephemeral}, MSC2409's
     * older {@code de.sorunome.msc2409.push_ephemeral} under {@code de.sorunome.msc2409.ephemeral};
     * to-device messages go under {@code de.sorunome.msc2409.to_device} either way (MSC4203, by
     * Synapse's older name).
     */
    public enum Ephemeral {
        NONE, STABLE, UNSTABLE;

        /** The transaction field that carries ephemeral events. */
        public String field() {
            return this == STABLE ? "ephemeral" : "de.sorunome.msc2409.ephemeral";
        }
    }

    public static final String TO_DEVICE_FIELD = "de.sorunome.msc2409.to_device";

    public AppService {
        users = List.copyOf(users);
        aliases = List.copyOf(aliases);
        rooms = List.copyOf(rooms);
        protocols = List.copyOf(protocols);
        ipRanges = List.copyOf(ipRanges);
    }

    /** Whether a request from {@code clientAddress} (asked only if the service limits it) may use the token. */
    public boolean acceptsRequestsFrom(Supplier<String> clientAddress) {
        if (ipRanges.isEmpty()) {
            return true;
        }
        String address = clientAddress.get();
        if (address == null || address.isEmpty()
                || !address.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
            return false; // not a literal address: never a name lookup here
        }
        try {
            InetAddress literal = InetAddress.getByName(address);
            return ipRanges.stream().anyMatch(r -> r.contains(literal));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Whether the service's own user or a user its namespaces claim (exclusively or not). */
    public boolean isInterestedInUser(String userId) {
        return sender.toString().equals(userId) || anyMatches(users, userId, false);
    }

    /** Whether {@code userId} is in one of the service's exclusive user namespaces. */
    public boolean claimsUserExclusively(String userId) {
        return anyMatches(users, userId, true);
    }

    /** Whether {@code userId} is the service's sender or in one of its user namespaces. */
    public boolean mayActAs(String userId) {
        return isInterestedInUser(userId);
    }

    public boolean isInterestedInAlias(String alias) {
        return anyMatches(aliases, alias, false);
    }

    public boolean claimsAliasExclusively(String alias) {
        return anyMatches(aliases, alias, true);
    }

    public boolean isInterestedInRoom(String roomId) {
        return anyMatches(rooms, roomId, false);
    }

    private static boolean anyMatches(List<Namespace> namespaces, String id, boolean exclusiveOnly) {
        for (Namespace n : namespaces) {
            if ((!exclusiveOnly || n.exclusive()) && n.matches(id)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "AppService[" + id + ", " + url + "]"; // never the tokens
    }
}
