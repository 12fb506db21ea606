// Package fakedriver groups stand-ins for the error types of database
// drivers, one subpackage per driver, each with the same package, type and
// field names, field types and receivers as the original. They let sqlerr's
// tests build every driver's error without a server, and without the
// drivers that are not dependencies of the module. Tests compare each
// stand-in with the original where the original is available.
package fakedriver
