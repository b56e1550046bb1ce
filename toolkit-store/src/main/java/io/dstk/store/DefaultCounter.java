package io.dstk.store;

import io.dstk.store.internal.Codec.Op;
import io.dstk.store.internal.Codec.Result;
import io.dstk.store.internal.Codec.Status;
import java.util.concurrent.CompletableFuture;

/** A counter handle: a name and the store. */
final class DefaultCounter implements StoreCounter {
  private final DefaultClusterStore store;
  private final String name;

  DefaultCounter(DefaultClusterStore store, String name) {
    this.store = store;
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long get() {
    return DefaultClusterStore.join(getAsync());
  }

  @Override
  public CompletableFuture<Long> getAsync() {
    return store.execute(DefaultClusterStore.cmd(Op.COUNTER_GET, name, 0, 0, null, null)).thenApply(Result::version);
  }

  @Override
  public long addAndGet(long delta) {
    return DefaultClusterStore.join(addAndGetAsync(delta));
  }

  @Override
  public CompletableFuture<Long> addAndGetAsync(long delta) {
    return store.execute(DefaultClusterStore.cmd(Op.COUNTER_ADD, name, delta, 0, null, null))
        .thenApply(Result::version);
  }

  @Override
  public boolean compareAndSet(long expect, long update) {
    return DefaultClusterStore.join(compareAndSetAsync(expect, update));
  }

  @Override
  public CompletableFuture<Boolean> compareAndSetAsync(long expect, long update) {
    return store.execute(DefaultClusterStore.cmd(Op.COUNTER_CAS, name, expect, update, null, null))
        .thenApply(r -> r.status() == Status.OK);
  }

  @Override
  public String toString() {
    return "StoreCounter[" + name + "]";
  }
}
