package io.dstk.benchmarks.hash;

import com.google.common.hash.Hashing;
import io.dstk.hash.ConsistentHash;
import io.dstk.hash.HashFunction;
import io.dstk.hash.JumpHash;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import net.spy.memcached.DefaultHashAlgorithm;
import net.spy.memcached.KetamaNodeLocator;
import net.spy.memcached.MemcachedNode;

/**
 * Every lookup implementation compared by {@link LookupBenchmark}: ours and the peers, behind one interface. Each
 * lookup includes hashing the key: a 16-byte array, or the same 16 ASCII characters for text APIs.
 */
public enum Contender {
    /** {@code ConsistentHash.ring()}: 160 virtual nodes, murmur3, byte[] key. */
    DSTK_RING {
        @Override
        Lookup create(int nodes) {
            ConsistentHash<String> hash = ConsistentHash.ring().build(names(nodes));
            return new Lookup() {
                @Override
                public Object lookup(byte[] key, String text) {
                    return hash.nodeFor(key);
                }
            };
        }
    },
    /** {@code ConsistentHash.ring()} with the 16-character String key (UTF-8 hashed without encoding). */
    DSTK_RING_TEXT {
        @Override
        Lookup create(int nodes) {
            ConsistentHash<String> hash = ConsistentHash.ring().build(names(nodes));
            return (key, text) -> hash.nodeFor(text);
        }
    },
    /** {@code ConsistentHash.ketama(servers)} with the String key: MD5, same placement as spymemcached. */
    DSTK_KETAMA {
        @Override
        Lookup create(int nodes) {
            ConsistentHash<String> hash = ConsistentHash.ketama(servers(nodes));
            return (key, text) -> hash.nodeFor(text);
        }
    },
    /** {@code ConsistentHash.rendezvous()}, byte[] key: O(n) per lookup. */
    DSTK_RENDEZVOUS {
        @Override
        Lookup create(int nodes) {
            ConsistentHash<String> hash = ConsistentHash.rendezvous().build(names(nodes));
            return (key, text) -> hash.nodeFor(key);
        }
    },
    /** {@code ConsistentHash.maglev()}, table 65537, byte[] key. */
    DSTK_MAGLEV {
        @Override
        Lookup create(int nodes) {
            ConsistentHash<String> hash = ConsistentHash.maglev().build(names(nodes));
            return (key, text) -> hash.nodeFor(key);
        }
    },
    /** {@code JumpHash.of(nodes)}, byte[] key hashed with murmur3 then jumped. */
    DSTK_JUMP {
        @Override
        Lookup create(int nodes) {
            JumpHash<String> hash = JumpHash.of(names(nodes));
            return (key, text) -> hash.nodeFor(key);
        }
    },
    /** Guava: {@code Hashing.consistentHash(Hashing.murmur3_128().hashBytes(key), n)}, then the node. */
    GUAVA_JUMP_MURMUR3 {
        @Override
        Lookup create(int nodes) {
            List<String> names = names(nodes);
            return (key, text) -> names.get(Hashing.consistentHash(Hashing.murmur3_128().hashBytes(key), nodes));
        }
    },
    /** spymemcached 2.12.3 {@code KetamaNodeLocator.getPrimary(key)} with KETAMA_HASH (MD5), String key. */
    SPYMEMCACHED_KETAMA {
        @Override
        Lookup create(int nodes) {
            List<MemcachedNode> list = new ArrayList<>();
            for (String server : servers(nodes)) {
                list.add(stubNode(server));
            }
            KetamaNodeLocator locator = new KetamaNodeLocator(list, DefaultHashAlgorithm.KETAMA_HASH);
            return (key, text) -> locator.getPrimary(text);
        }
    },
    /** A plain {@code TreeMap<Long, String>} ring: our murmur3, the same 160 points per node, ceilingEntry. */
    TREEMAP_RING_MURMUR3 {
        @Override
        Lookup create(int nodes) {
            HashFunction murmur3 = HashFunction.murmur3();
            TreeMap<Long, String> ring = new TreeMap<>();
            for (String node : names(nodes)) {
                for (int i = 0; i < 160; i++) {
                    ring.put(murmur3.hashUtf8(node + "-" + i), node);
                }
            }
            return (key, text) -> {
                Map.Entry<Long, String> e = ring.ceilingEntry(murmur3.hash(key));
                return (e == null ? ring.firstEntry() : e).getValue();
            };
        }
    };

    /** One lookup: returns the owner of the key. */
    @FunctionalInterface
    public interface Lookup {
        /**
         * @param key the 16-byte key
         * @param text the same key as 16 ASCII characters
         * @return the owner
         */
        Object lookup(byte[] key, String text);
    }

    abstract Lookup create(int nodes);

    static List<String> names(int nodes) {
        return IntStream.range(0, nodes).mapToObj(i -> "node-" + i).toList();
    }

    static List<String> servers(int nodes) {
        return IntStream.range(0, nodes).mapToObj(i -> "10.0." + (i / 250) + "." + (i % 250) + ":11211").toList();
    }

    static MemcachedNode stubNode(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        InetSocketAddress address = new InetSocketAddress(hostPort.substring(0, colon),
                Integer.parseInt(hostPort.substring(colon + 1)));
        // KetamaNodeLocator only calls getSocketAddress(); no server is needed.
        return (MemcachedNode) Proxy.newProxyInstance(MemcachedNode.class.getClassLoader(),
                new Class<?>[] {MemcachedNode.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getSocketAddress" -> address;
                    case "toString" -> hostPort;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
