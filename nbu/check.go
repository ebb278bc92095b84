package nbu

import (
	"context"
	"fmt"
	"net/url"
)

// Check sends one authenticated GET /admin/jobs?page[limit]=1 with the detected (or pinned) API
// version and returns that version. Unlike Version, it always goes to the network: a cached
// version only says that the primary answered once, not that it answers now.
func (c *Client) Check(ctx context.Context) (string, error) {
	if err := c.call(ctx, jobsEndpoint, url.Values{"page[limit]": {"1"}}, discard); err != nil {
		return "", fmt.Errorf("checking that NetBackup answers: %w", err)
	}
	if c.pinned != "" {
		return c.pinned, nil
	}
	return c.cachedVersion(), nil
}
