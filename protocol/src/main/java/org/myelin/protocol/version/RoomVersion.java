package org.myelin.protocol.version;

/**
 * A room version: its identifier and the rules that make it what it is, as data
 * (room versions, {@code rooms/v*.md}). Code switches on these rules, never on {@link #id()}.
 *
 * @param id                 the identifier clients and servers exchange, such as {@code "12"}
 * @param stable             whether the version is stable (all of 1-12 are)
 * @param eventFormat        how events carry or derive their ids
 * @param redactsInContent   v11+: {@code m.room.redaction} names its target in {@code content.redacts}
 * @param redaction          what the redaction algorithm keeps
 * @param auth               the authorisation-rule switches
 * @param stateRes           the state resolution algorithm
 * @param enforceKeyValidity v5+: a signing key counts only up to its {@code valid_until_ts}
 */
public record RoomVersion(
        String id,
        boolean stable,
        EventFormat eventFormat,
        boolean redactsInContent,
        RedactionRules redaction,
        AuthRuleSet auth,
        StateResAlgorithm stateRes,
        boolean enforceKeyValidity) {

    @Override
    public String toString() {
        return "room version " + id;
    }
}
