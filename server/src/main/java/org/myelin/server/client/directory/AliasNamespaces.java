package org.myelin.server.client.directory;

/**
 * The room aliases application services reserve or create on demand (application service API,
 * "Registration" and "Querying").
 */
public interface AliasNamespaces {

    AliasNamespaces NONE = new AliasNamespaces() {
        @Override
        public boolean mayModify(String alias, String userId) {
            return true;
        }

        @Override
        public boolean queriedExists(String alias) {
            return false;
        }
    };

    /** Whether {@code userId} may create or delete {@code alias}: no service holds it exclusively. */
    boolean mayModify(String alias, String userId);

    /** Whether a service whose namespace holds the unknown local {@code alias} says it made it now. */
    boolean queriedExists(String alias);
}
