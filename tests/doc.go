// Package tests proves the whole platform: every control on every stack, a deliberately broken
// input for every control, exact resource counts, stable names when zones are added, determinism
// of the offline plan, preview mode, what is protected in which environment, and the in-cluster
// semantics: the NetworkPolicy reachability matrix, Pod Security on every pod and the who-can table.
package tests
