package dev.tripletcuda.backend.cuda;

/**
 * One kernel entry point as the host sees it: the module (the {@code .cu} file without its
 * extension), the {@code extern "C"} name, and the parameter types in order ({@code p} pointer,
 * {@code i} int, {@code l} long long, {@code f} float; see {@link KernelArgs}). Tests check every
 * signature against the kernel sources and the compiled PTX.
 */
record KernelSignature(String module, String name, String params) {}
