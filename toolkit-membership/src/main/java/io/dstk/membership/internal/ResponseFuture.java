package io.dstk.membership.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A future completed on the thread that received an answer (a JGroups thread), so that a caller blocked in get() or
 * join() wakes without a hand-off, while every dependent stage added before completion runs on a given executor, so
 * that user code never runs on JGroups' threads. A stage added after completion runs on the thread that adds it, as
 * with any CompletableFuture. Derived stages are ResponseFutures too. Used by request futures and by the cache's
 * write futures.
 */
public final class ResponseFuture<T> extends CompletableFuture<T> {
  private final Executor executor;

  private ResponseFuture(Executor executor) {
    this.executor = executor;
  }

  /**
   * Returns a future whose dependent stages run on {@code messaging}.
   *
   * @param messaging runs the dependent stages added before completion
   * @param <T> the value type
   * @return a new incomplete future
   */
  public static <T> ResponseFuture<T> on(Executor messaging) {
    return new ResponseFuture<>(r -> {
      try {
        messaging.execute(r);
      } catch (RejectedExecutionException e) {
        ForkJoinPool.commonPool().execute(r); // closed or saturated: still never on the completing thread
      }
    });
  }

  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    return new ResponseFuture<>(executor);
  }

  @Override
  public Executor defaultExecutor() {
    return executor;
  }

  @Override
  public <U> CompletableFuture<U> thenApply(Function<? super T, ? extends U> fn) {
    return isDone() ? super.thenApply(fn) : thenApplyAsync(fn, executor);
  }

  @Override
  public CompletableFuture<Void> thenAccept(Consumer<? super T> action) {
    return isDone() ? super.thenAccept(action) : thenAcceptAsync(action, executor);
  }

  @Override
  public CompletableFuture<Void> thenRun(Runnable action) {
    return isDone() ? super.thenRun(action) : thenRunAsync(action, executor);
  }

  @Override
  public <U, V> CompletableFuture<V> thenCombine(CompletionStage<? extends U> other,
      BiFunction<? super T, ? super U, ? extends V> fn) {
    return thenCombineAsync(other, fn, executor);
  }

  @Override
  public <U> CompletableFuture<Void> thenAcceptBoth(CompletionStage<? extends U> other,
      BiConsumer<? super T, ? super U> action) {
    return thenAcceptBothAsync(other, action, executor);
  }

  @Override
  public CompletableFuture<Void> runAfterBoth(CompletionStage<?> other, Runnable action) {
    return runAfterBothAsync(other, action, executor);
  }

  @Override
  public <U> CompletableFuture<U> applyToEither(CompletionStage<? extends T> other, Function<? super T, U> fn) {
    return applyToEitherAsync(other, fn, executor);
  }

  @Override
  public CompletableFuture<Void> acceptEither(CompletionStage<? extends T> other, Consumer<? super T> action) {
    return acceptEitherAsync(other, action, executor);
  }

  @Override
  public CompletableFuture<Void> runAfterEither(CompletionStage<?> other, Runnable action) {
    return runAfterEitherAsync(other, action, executor);
  }

  @Override
  public <U> CompletableFuture<U> thenCompose(Function<? super T, ? extends CompletionStage<U>> fn) {
    return isDone() ? super.thenCompose(fn) : thenComposeAsync(fn, executor);
  }

  @Override
  public CompletableFuture<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
    return isDone() ? super.whenComplete(action) : whenCompleteAsync(action, executor);
  }

  @Override
  public <U> CompletableFuture<U> handle(BiFunction<? super T, Throwable, ? extends U> fn) {
    return isDone() ? super.handle(fn) : handleAsync(fn, executor);
  }

  @Override
  public CompletableFuture<T> exceptionally(Function<Throwable, ? extends T> fn) {
    return isDone() ? super.exceptionally(fn) : exceptionallyAsync(fn, executor);
  }

  @Override
  public CompletableFuture<T> exceptionallyCompose(Function<Throwable, ? extends CompletionStage<T>> fn) {
    return isDone() ? super.exceptionallyCompose(fn) : exceptionallyComposeAsync(fn, executor);
  }
}
