package org.myelin.server.appservice;

import java.util.regex.Pattern;

/**
 * One entry of a registration's {@code namespaces.users}, {@code aliases} or {@code rooms}
 * (application service API, "Registration"): ids the regex matches whole are the application
 * service's; {@code exclusive} ones no one else may claim. As Synapse ({@code re.match}), the regex
 * is anchored at the start of the id only; registrations write {@code ^…$} or {@code .*} themselves.
 */
public record Namespace(Pattern regex, boolean exclusive) {

    /** Whether {@code id} is in this namespace. */
    public boolean matches(String id) {
        return id != null && regex.matcher(id).lookingAt();
    }
}
