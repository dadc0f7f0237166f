package org.myelin.storage.state;

import org.myelin.protocol.event.StateKey;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The trie under a {@link StateMap}: nodes of up to 32 slots indexed by five bits of the key's
 * hash at a time, lists for keys whose hashes collide whole, and the walk of two tries that skips
 * the subtrees they share.
 */
final class StateTrie {

    static final int BITS = 5;
    static final int MASK = (1 << BITS) - 1;

    private StateTrie() {
    }

    static int hash(StateKey key) {
        int h = key.hashCode();
        return h ^ (h >>> 16);
    }

    static int bit(int hash, int shift) {
        return 1 << ((hash >>> shift) & MASK);
    }

    static void difference(Node a, Node b, int shift, Consumer<StateKey> differing) {
        if (a == b) {
            return;
        }
        if (a instanceof BitmapNode x && b instanceof BitmapNode y) {
            int all = x.bitmap | y.bitmap;
            while (all != 0) {
                int bit = Integer.lowestOneBit(all);
                all &= ~bit;
                boolean inX = (x.bitmap & bit) != 0;
                boolean inY = (y.bitmap & bit) != 0;
                if (!inY) {
                    x.forEachKeyAt(x.index(bit), differing);
                } else if (!inX) {
                    y.forEachKeyAt(y.index(bit), differing);
                } else {
                    slotDifference(x.array, 2 * x.index(bit), y.array, 2 * y.index(bit), shift, differing);
                }
            }
            return;
        }
        // A collision node on one side at least: tiny, compared entry by entry.
        a.forEach((k, v) -> {
            if (!v.equals(b.get(k, hash(k), shift))) {
                differing.accept(k);
            }
        });
        b.forEach((k, v) -> {
            if (a.get(k, hash(k), shift) == null) {
                differing.accept(k);
            }
        });
    }

    private static void slotDifference(Object[] x, int i, Object[] y, int j, int shift, Consumer<StateKey> differing) {
        Object kx = x[i];
        Object ky = y[j];
        Object vx = x[i + 1];
        Object vy = y[j + 1];
        if (kx == null && ky == null) {
            difference((Node) vx, (Node) vy, shift + BITS, differing);
        } else if (kx != null && ky != null) {
            if (kx.equals(ky)) {
                if (!vx.equals(vy)) {
                    differing.accept((StateKey) kx);
                }
            } else {
                differing.accept((StateKey) kx);
                differing.accept((StateKey) ky);
            }
        } else if (kx != null) {
            leafAgainstNode((StateKey) kx, (String) vx, (Node) vy, shift + BITS, differing);
        } else {
            leafAgainstNode((StateKey) ky, (String) vy, (Node) vx, shift + BITS, differing);
        }
    }

    /** One entry on one side where the other has a subtree: every other key of the subtree differs too. */
    private static void leafAgainstNode(StateKey key, String value, Node node, int shift, Consumer<StateKey> differing) {
        if (!value.equals(node.get(key, hash(key), shift))) {
            differing.accept(key);
        }
        node.forEach((k, v) -> {
            if (!k.equals(key)) {
                differing.accept(k);
            }
        });
    }

    /** A node of the trie. */
    sealed interface Node permits BitmapNode, CollisionNode {
        String get(StateKey key, int hash, int shift);

        /** This node with the entry; itself if unchanged; {@code added[0]} set if the key is new. */
        Node plus(StateKey key, String value, int hash, int shift, boolean[] added);

        /** This node without the key; itself if it had none; null if nothing is left. */
        Node minus(StateKey key, int hash, int shift);

        void forEach(BiConsumer<? super StateKey, ? super String> action);
    }

    /**
     * Up to 32 slots, present as the bits of {@code bitmap} say; slot {@code i} is
     * {@code array[2i], array[2i+1]}: a key and its event id, or null and a subtree.
     */
    static final class BitmapNode implements Node {
        static final BitmapNode EMPTY = new BitmapNode(0, new Object[0]);

        final int bitmap;
        final Object[] array;

        BitmapNode(int bitmap, Object[] array) {
            this.bitmap = bitmap;
            this.array = array;
        }

        int index(int bit) {
            return Integer.bitCount(bitmap & (bit - 1));
        }

        @Override
        public String get(StateKey key, int hash, int shift) {
            int bit = bit(hash, shift);
            if ((bitmap & bit) == 0) {
                return null;
            }
            int i = 2 * index(bit);
            Object k = array[i];
            if (k == null) {
                return ((Node) array[i + 1]).get(key, hash, shift + BITS);
            }
            return key.equals(k) ? (String) array[i + 1] : null;
        }

        @Override
        public Node plus(StateKey key, String value, int hash, int shift, boolean[] added) {
            int bit = bit(hash, shift);
            int i = 2 * index(bit);
            if ((bitmap & bit) == 0) {
                added[0] = true;
                Object[] copy = new Object[array.length + 2];
                System.arraycopy(array, 0, copy, 0, i);
                copy[i] = key;
                copy[i + 1] = value;
                System.arraycopy(array, i, copy, i + 2, array.length - i);
                return new BitmapNode(bitmap | bit, copy);
            }
            Object k = array[i];
            Object v = array[i + 1];
            if (k == null) {
                Node sub = (Node) v;
                Node changed = sub.plus(key, value, hash, shift + BITS, added);
                return changed == sub ? this : with(i, null, changed);
            }
            if (key.equals(k)) {
                return value.equals(v) ? this : with(i, k, value);
            }
            added[0] = true;
            return with(i, null, pair(shift + BITS, (StateKey) k, (String) v, key, value, hash));
        }

        private BitmapNode with(int i, Object key, Object value) {
            Object[] copy = array.clone();
            copy[i] = key;
            copy[i + 1] = value;
            return new BitmapNode(bitmap, copy);
        }

        private static Node pair(int shift, StateKey k1, String v1, StateKey k2, String v2, int h2) {
            int h1 = hash(k1);
            if (h1 == h2) {
                return new CollisionNode(h1, new Object[] {k1, v1, k2, v2});
            }
            boolean[] ignored = new boolean[1];
            return EMPTY.plus(k1, v1, h1, shift, ignored).plus(k2, v2, h2, shift, ignored);
        }

        @Override
        public Node minus(StateKey key, int hash, int shift) {
            int bit = bit(hash, shift);
            if ((bitmap & bit) == 0) {
                return this;
            }
            int i = 2 * index(bit);
            Object k = array[i];
            if (k == null) {
                Node sub = (Node) array[i + 1];
                Node changed = sub.minus(key, hash, shift + BITS);
                if (changed == sub) {
                    return this;
                }
                if (changed == null) {
                    return without(bit, i);
                }
                if (changed instanceof BitmapNode b && Integer.bitCount(b.bitmap) == 1 && b.array[0] != null) {
                    // A subtree of one entry is that entry.
                    return with(i, b.array[0], b.array[1]);
                }
                return with(i, null, changed);
            }
            return key.equals(k) ? without(bit, i) : this;
        }

        private BitmapNode without(int bit, int i) {
            if (bitmap == bit) {
                return null;
            }
            Object[] copy = new Object[array.length - 2];
            System.arraycopy(array, 0, copy, 0, i);
            System.arraycopy(array, i + 2, copy, i, array.length - i - 2);
            return new BitmapNode(bitmap & ~bit, copy);
        }

        @Override
        public void forEach(BiConsumer<? super StateKey, ? super String> action) {
            for (int i = 0; i < array.length; i += 2) {
                if (array[i] == null) {
                    ((Node) array[i + 1]).forEach(action);
                } else {
                    action.accept((StateKey) array[i], (String) array[i + 1]);
                }
            }
        }

        void forEachKeyAt(int index, Consumer<StateKey> action) {
            Object k = array[2 * index];
            if (k == null) {
                ((Node) array[2 * index + 1]).forEach((key, value) -> action.accept(key));
            } else {
                action.accept((StateKey) k);
            }
        }
    }

    /** Entries whose keys share all 32 bits of their hash: a list. */
    private static final class CollisionNode implements Node {
        final int hash;
        final Object[] array;

        CollisionNode(int hash, Object[] array) {
            this.hash = hash;
            this.array = array;
        }

        private int find(StateKey key) {
            for (int i = 0; i < array.length; i += 2) {
                if (key.equals(array[i])) {
                    return i;
                }
            }
            return -1;
        }

        @Override
        public String get(StateKey key, int hash, int shift) {
            int i = hash == this.hash ? find(key) : -1;
            return i < 0 ? null : (String) array[i + 1];
        }

        @Override
        public Node plus(StateKey key, String value, int hash, int shift, boolean[] added) {
            if (hash != this.hash) {
                // Hang this list under a branch of its own and add the key beside it.
                BitmapNode branch = new BitmapNode(bit(this.hash, shift), new Object[] {null, this});
                return branch.plus(key, value, hash, shift, added);
            }
            int i = find(key);
            if (i >= 0) {
                if (value.equals(array[i + 1])) {
                    return this;
                }
                Object[] copy = array.clone();
                copy[i + 1] = value;
                return new CollisionNode(hash, copy);
            }
            added[0] = true;
            Object[] copy = new Object[array.length + 2];
            System.arraycopy(array, 0, copy, 0, array.length);
            copy[array.length] = key;
            copy[array.length + 1] = value;
            return new CollisionNode(hash, copy);
        }

        @Override
        public Node minus(StateKey key, int hash, int shift) {
            int i = hash == this.hash ? find(key) : -1;
            if (i < 0) {
                return this;
            }
            if (array.length == 4) {
                int other = i == 0 ? 2 : 0;
                boolean[] ignored = new boolean[1];
                return BitmapNode.EMPTY.plus((StateKey) array[other], (String) array[other + 1], this.hash, shift,
                        ignored);
            }
            Object[] copy = new Object[array.length - 2];
            System.arraycopy(array, 0, copy, 0, i);
            System.arraycopy(array, i + 2, copy, i, array.length - i - 2);
            return new CollisionNode(hash, copy);
        }

        @Override
        public void forEach(BiConsumer<? super StateKey, ? super String> action) {
            for (int i = 0; i < array.length; i += 2) {
                action.accept((StateKey) array[i], (String) array[i + 1]);
            }
        }
    }

    /** The entries, depth first, with a stack of the nodes under way. */
    static final class Entries implements Iterator<Map.Entry<StateKey, String>> {
        private final Deque<Object[]> arrays = new ArrayDeque<>();
        private final Deque<Integer> positions = new ArrayDeque<>();
        private Map.Entry<StateKey, String> next;

        Entries(Node root) {
            push(root);
            advance();
        }

        private void push(Node node) {
            arrays.push(node instanceof BitmapNode b ? b.array : ((CollisionNode) node).array);
            positions.push(0);
        }

        private void advance() {
            next = null;
            while (!arrays.isEmpty()) {
                Object[] array = arrays.peek();
                int i = positions.pop();
                if (i >= array.length) {
                    arrays.pop();
                    continue;
                }
                positions.push(i + 2);
                if (array[i] == null) {
                    push((Node) array[i + 1]);
                } else {
                    next = Map.entry((StateKey) array[i], (String) array[i + 1]);
                    return;
                }
            }
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public Map.Entry<StateKey, String> next() {
            if (next == null) {
                throw new NoSuchElementException();
            }
            Map.Entry<StateKey, String> current = next;
            advance();
            return current;
        }
    }
}
