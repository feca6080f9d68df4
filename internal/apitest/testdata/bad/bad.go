// Package bad is a package whose exported API breaks the vocabulary, for
// apitest's own tests.
package bad

import (
	"context"
	"iter"
)

type Conn struct{}

type Route struct{}

func (c *Conn) GetRoute(ctx context.Context) (Route, error) { return Route{}, nil }

// Routes is a single-use iterator.
func (c *Conn) Routes(ctx context.Context) iter.Seq2[Route, error] { return nil }

// Route dumps the routes. It is a single-use iterator.
func (c *Conn) Route(ctx context.Context) iter.Seq2[Route, error] { return nil }

func (c *Conn) RouteSlice(ctx context.Context) ([]Route, error) { return nil, nil }

func (c *Conn) Execute(ctx context.Context) ([]Route, error) { return nil, nil }

func (c *Conn) AddRoute(ctx context.Context, r Route) error { return nil }

func (c *Conn) String() string { return "" }
