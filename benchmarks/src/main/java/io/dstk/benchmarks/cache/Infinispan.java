package io.dstk.benchmarks.cache;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Starts Infinispan embedded cache managers through reflection. Infinispan's classes carry annotations from an
 * artifact that is not published, which javac reports as warnings on any class that names them; going through the
 * {@link Map} interface its caches implement keeps this module's build warning-free.
 */
final class Infinispan {
  private static final String MANAGER = "org.infinispan.manager.DefaultCacheManager";

  private Infinispan() {}

  /** Starts a manager with one REPL_SYNC cache named {@code put}, Infinispan's default TCP stack. */
  static Object start(String clusterName, String nodeName) throws ReflectiveOperationException {
    String xml = "<infinispan><cache-container default-cache=\"put\" statistics=\"false\">"
        + "<transport cluster=\"" + clusterName + "\" stack=\"tcp\" node-name=\"" + nodeName + "\"/>"
        + "<replicated-cache name=\"put\" mode=\"SYNC\" statistics=\"false\"/>"
        + "</cache-container></infinispan>";
    Class<?> type = Class.forName(MANAGER);
    Object manager = type.getConstructor(InputStream.class)
        .newInstance(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    cache(manager);
    return manager;
  }

  /** Returns the manager's {@code put} cache as the {@link Map} it implements. */
  @SuppressWarnings("unchecked")
  static Map<String, byte[]> cache(Object manager) throws ReflectiveOperationException {
    return (Map<String, byte[]>) manager.getClass().getMethod("getCache", String.class).invoke(manager, "put");
  }

  /** Returns the size of the manager's cluster view. */
  static int members(Object manager) throws ReflectiveOperationException {
    List<?> members = (List<?>) manager.getClass().getMethod("getMembers").invoke(manager);
    return members == null ? 0 : members.size();
  }

  /** Stops a manager. */
  static void stop(Object manager) {
    try {
      manager.getClass().getMethod("stop").invoke(manager);
    } catch (IllegalAccessException | NoSuchMethodException | InvocationTargetException e) {
      throw new IllegalStateException("could not stop an Infinispan manager", e);
    }
  }
}
