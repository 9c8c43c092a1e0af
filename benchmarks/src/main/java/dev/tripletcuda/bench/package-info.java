/**
 * Benchmarks of tripletcuda and the harness of its comparison with PyTorch.
 *
 * <p>The JMH suite ({@code java -jar benchmarks/target/benchmarks.jar}, entry point
 * {@link dev.tripletcuda.bench.BenchMain}): pairwise distances, the triplet loss forward and
 * backward per mining mode, one full training step, kNN search and the network's matrix
 * products, each over {@code backend = cpu, cuda} (cuda left out by itself where no device can
 * be opened). Every case runs in throughput mode with a work counter, so JMH's table shows calls
 * per second and the work as a rate (pairs/s, triplets/s, samples/s, queries/s, gflop = GFLOP/s);
 * a second table after it gives the time per call. Each class states its warm-up and measurement;
 * JMH's usual options override them ({@code -wi -i -w -r -f}), and {@code -p name=v1,v2} picks
 * sizes, e.g. {@code -p base=1000000} for the million-row search. The CPU thread count is
 * {@code -Dbench.threads=N} (default: every processor), given before {@code -jar}.
 *
 * <p>The comparison ({@code benchmarks/compare.sh}) times the figures of
 * {@code benchmarks/figures-cpu.txt} on both sides with the same protocol:
 * {@link dev.tripletcuda.bench.PeerFigures} here, {@code torch_peer.py} for PyTorch, and
 * {@link dev.tripletcuda.bench.MachinePeak} for the FMA and memory ceilings they are read
 * against.
 */
package dev.tripletcuda.bench;
