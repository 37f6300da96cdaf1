// Package iprange holds the IPv4 range facts that config validation, components and controls share,
// judged with netipx sets rather than range by range: how much of the internet a list of CIDR
// blocks opens (InternetShare), and whether a prefix is private (IsPrivate).
package iprange
