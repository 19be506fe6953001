package cove

import (
	"context"
	"strconv"
)

// ListRoles is Roles under the configured partner (defaults' PartnerId;
// none or not a number means the login's own partner): the run-time role
// lookup (connector.RoleLister) behind a plan's Cove role names.
func (c *Client) ListRoles(ctx context.Context, defaults map[string]string) (map[string]int64, error) {
	id, _ := strconv.ParseInt(defaults["PartnerId"], 10, 64)
	return c.Roles(ctx, id)
}
