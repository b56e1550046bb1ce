package io.dstk.hash.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The validated, immutable node list of an instance: nodes in insertion order, their string keys and weights.
 *
 * @param <N> node type
 */
public final class NodeSet<N> {
    private final Function<Object, String> keyFunction;
    private final Object[] nodes;
    private final String[] keys;
    private final int[] weights;
    private final Map<Object, Integer> indexOf;
    private final Set<N> view;

    private NodeSet(Function<Object, String> keyFunction, Object[] nodes, String[] keys, int[] weights) {
        this.keyFunction = keyFunction;
        this.nodes = nodes;
        this.keys = keys;
        this.weights = weights;
        this.indexOf = new HashMap<>(nodes.length * 2);
        Map<String, Object> byKey = new HashMap<>(nodes.length * 2);
        for (int i = 0; i < nodes.length; i++) {
            if (indexOf.putIfAbsent(nodes[i], i) != null) {
                throw new IllegalArgumentException("duplicate node: " + nodes[i]);
            }
            Object previous = byKey.putIfAbsent(keys[i], nodes[i]);
            if (previous != null) {
                throw new IllegalArgumentException("duplicate node key \"" + keys[i] + "\": nodes " + previous
                        + " and " + nodes[i]);
            }
        }
        LinkedHashSet<N> set = new LinkedHashSet<>();
        for (Object node : nodes) {
            set.add(cast(node));
        }
        this.view = Collections.unmodifiableSet(set);
    }

    /**
     * Validates and builds a node set.
     *
     * @param keyFunction the node key function
     * @param nodes nodes in order
     * @param weights weights, one per node
     * @param <N> node type
     * @return the node set
     */
    public static <N> NodeSet<N> of(Function<Object, String> keyFunction, List<?> nodes, int[] weights) {
        Objects.requireNonNull(keyFunction, "nodeKey");
        Object[] array = nodes.toArray();
        String[] keys = new String[array.length];
        for (int i = 0; i < array.length; i++) {
            keys[i] = keyOf(keyFunction, array[i]);
            checkWeight(array[i], weights[i]);
        }
        return new NodeSet<>(keyFunction, array, keys, weights.clone());
    }

    /**
     * Builds a node set from a map of nodes to weights, in the map's iteration order.
     *
     * @param keyFunction the node key function
     * @param weighted nodes and weights
     * @param <N> node type
     * @return the node set
     */
    public static <N> NodeSet<N> ofWeighted(Function<Object, String> keyFunction, Map<?, Integer> weighted) {
        Objects.requireNonNull(weighted, "nodes");
        List<Object> nodes = new ArrayList<>(weighted.size());
        int[] weights = new int[weighted.size()];
        int i = 0;
        for (Map.Entry<?, Integer> e : weighted.entrySet()) {
            nodes.add(e.getKey());
            Integer w = e.getValue();
            if (w == null) {
                throw new NullPointerException("weight must not be null for node " + e.getKey());
            }
            weights[i++] = w;
        }
        return of(keyFunction, nodes, weights);
    }

    /**
     * Builds a node set of weight-1 nodes.
     *
     * @param keyFunction the node key function
     * @param nodes the nodes
     * @param <N> node type
     * @return the node set
     */
    public static <N> NodeSet<N> ofNodes(Function<Object, String> keyFunction, java.util.Collection<?> nodes) {
        Objects.requireNonNull(nodes, "nodes");
        List<Object> list = new ArrayList<>(nodes.size());
        for (Object n : nodes) {
            list.add(Objects.requireNonNull(n, "nodes must not contain null"));
        }
        int[] weights = new int[list.size()];
        Arrays.fill(weights, 1);
        return of(keyFunction, list, weights);
    }

    private static String keyOf(Function<Object, String> keyFunction, Object node) {
        Objects.requireNonNull(node, "node must not be null");
        String key = keyFunction.apply(node);
        if (key == null) {
            throw new NullPointerException("nodeKey returned null for node " + node);
        }
        return key;
    }

    private static void checkWeight(Object node, int weight) {
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be >= 1, was " + weight + " for node " + node);
        }
    }

    /**
     * Returns a copy with {@code node} appended.
     *
     * @param node the node
     * @param weight its weight
     * @return new node set
     */
    public NodeSet<N> with(N node, int weight) {
        String key = keyOf(keyFunction, node);
        checkWeight(node, weight);
        int n = nodes.length;
        Object[] newNodes = Arrays.copyOf(nodes, n + 1);
        String[] newKeys = Arrays.copyOf(keys, n + 1);
        int[] newWeights = Arrays.copyOf(weights, n + 1);
        newNodes[n] = node;
        newKeys[n] = key;
        newWeights[n] = weight;
        return new NodeSet<>(keyFunction, newNodes, newKeys, newWeights);
    }

    /**
     * Returns a copy without {@code node}.
     *
     * @param node the node
     * @return new node set
     */
    public NodeSet<N> without(N node) {
        int i = indexOfOrThrow(node);
        int n = nodes.length;
        Object[] newNodes = new Object[n - 1];
        String[] newKeys = new String[n - 1];
        int[] newWeights = new int[n - 1];
        System.arraycopy(nodes, 0, newNodes, 0, i);
        System.arraycopy(nodes, i + 1, newNodes, i, n - 1 - i);
        System.arraycopy(keys, 0, newKeys, 0, i);
        System.arraycopy(keys, i + 1, newKeys, i, n - 1 - i);
        System.arraycopy(weights, 0, newWeights, 0, i);
        System.arraycopy(weights, i + 1, newWeights, i, n - 1 - i);
        return new NodeSet<>(keyFunction, newNodes, newKeys, newWeights);
    }

    /**
     * Index of a node, or an exception naming it.
     *
     * @param node the node
     * @return its index
     */
    public int indexOfOrThrow(Object node) {
        Objects.requireNonNull(node, "node must not be null");
        Integer i = indexOf.get(node);
        if (i == null) {
            throw new IllegalArgumentException("node is not present: " + node);
        }
        return i;
    }

    /** @return number of nodes */
    public int size() {
        return nodes.length;
    }

    /**
     * @param i index
     * @return node at index
     */
    public N node(int i) {
        return cast(nodes[i]);
    }

    /**
     * @param i index
     * @return key of node at index
     */
    public String key(int i) {
        return keys[i];
    }

    /**
     * @param i index
     * @return weight of node at index
     */
    public int weight(int i) {
        return weights[i];
    }

    /** @return the sum of all weights */
    public long totalWeight() {
        long sum = 0;
        for (int w : weights) {
            sum += w;
        }
        return sum;
    }

    /** @return true if all weights are equal */
    public boolean uniformWeights() {
        for (int w : weights) {
            if (w != weights[0]) {
                return false;
            }
        }
        return true;
    }

    /** @return node indexes sorted by node key (placement that must not depend on insertion order uses it) */
    public int[] indexesByKey() {
        Integer[] order = new Integer[nodes.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> keys[a].compareTo(keys[b]));
        int[] result = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            result[i] = order[i];
        }
        return result;
    }

    /** @return the unmodifiable view of the nodes in insertion order */
    public Set<N> view() {
        return view;
    }

    /** @return the key function */
    public Function<Object, String> keyFunction() {
        return keyFunction;
    }

    @SuppressWarnings("unchecked")
    private static <N> N cast(Object node) {
        return (N) node;
    }
}
