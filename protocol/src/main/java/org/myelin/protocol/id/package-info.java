/**
 * Matrix identifiers as validated records (spec: appendices, "Identifier Grammar"): server
 * names, user IDs, room IDs, event IDs, room aliases, signing key IDs, media IDs and
 * {@code mxc://} URIs.
 *
 * <p>Each type has a {@code parse(String)} factory that throws
 * {@link org.myelin.protocol.id.InvalidIdentifierException} with the reason, a canonical
 * constructor that validates the same way (no invalid instance can exist), and a
 * {@code toString()} that gives back the exact wire form. Equality is equality of the wire
 * form: identifiers are case-sensitive and never normalised.
 */
package org.myelin.protocol.id;
