// Package tests proves the whole platform: every control on every stack, a deliberately broken
// input for every control, exact resource counts, stable names when zones are added, determinism
// of the offline plan, preview mode, and what is protected in which environment.
package tests
