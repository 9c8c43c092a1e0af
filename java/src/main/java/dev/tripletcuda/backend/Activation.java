package dev.tripletcuda.backend;

/** The elementwise function after a dense layer's bias. */
public enum Activation {
  /** max(0, x). */
  RELU,
  /** x, for the output layer. */
  IDENTITY
}
