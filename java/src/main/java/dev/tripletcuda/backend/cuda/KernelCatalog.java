package dev.tripletcuda.backend.cuda;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Every kernel the backend launches, gathered from the launcher classes. */
final class KernelCatalog {

  private KernelCatalog() {}

  static List<KernelSignature> all() {
    List<KernelSignature> all = new ArrayList<>();
    all.addAll(GemmTiled.SIGNATURES);
    all.addAll(DistanceKernels.SIGNATURES);
    all.addAll(LayerKernels.SIGNATURES);
    all.addAll(OptimizerKernels.SIGNATURES);
    all.addAll(ReductionKernels.SIGNATURES);
    all.addAll(TripletLossKernels.SIGNATURES);
    all.addAll(TopKKernels.SIGNATURES);
    return all;
  }

  /** The module names, each once, in catalog order. */
  static List<String> modules() {
    Set<String> names = new LinkedHashSet<>();
    for (KernelSignature s : all()) {
      names.add(s.module());
    }
    return List.copyOf(names);
  }
}
