package org.myelin.protocol.auth;

/** The verdict of the authorisation rules on one event. */
public sealed interface AuthResult {

    /** The event passes the rules. */
    record Allowed() implements AuthResult {
    }

    /**
     * The event breaks a rule.
     *
     * @param rule   the rule's number in the room version's "Authorisation rules", such as "4.3.2"
     * @param reason what was wrong, for logs and for the /send response
     */
    record Rejected(String rule, String reason) implements AuthResult {
    }

    AuthResult ALLOWED = new Allowed();

    static AuthResult allowed() {
        return ALLOWED;
    }

    static AuthResult rejected(String rule, String reason) {
        return new Rejected(rule, reason);
    }

    default boolean isAllowed() {
        return this instanceof Allowed;
    }
}
