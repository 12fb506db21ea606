// Package fakedriver holds stand-ins for the error types of drivers that are
// not dependencies of the module (go-mssqldb), with the same package, type
// and field names, field types and receivers as the original, so that
// sqlcore's tests can build their errors.
package fakedriver
