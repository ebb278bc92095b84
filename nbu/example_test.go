package nbu_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/go-kit/log"

	"github.com/netbackup-exporter/netbackup_exporter/nbu"
)

func ExampleClient_Jobs() {
	c, err := nbu.NewClient(nbu.Options{
		BaseURL: "https://primary.example.com:1556/netbackup",
		APIKey:  os.Getenv("NBU_API_KEY"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ctx = nbu.ContextWithLogger(ctx, log.NewLogfmtLogger(os.Stderr))

	since := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	perState := map[string]int{}
	stats, err := c.Jobs(ctx, nbu.JobsQuery{Filter: "endTime gt " + since}, func(j *nbu.Job) error {
		perState[j.State]++ // j is reused after return: copy what you keep
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(stats.Pages, stats.Records, perState)
}
