package fdlimit

import "testing"

func TestSize(t *testing.T) {
	for _, tc := range []struct {
		name       string
		limit      uint64
		maxInbound int
		want       Plan
	}{
		{"unknown", 0, 512, Plan{Limit: 0, Inbound: 512}},
		{"unlimited", ^uint64(0), 512, Plan{Limit: ^uint64(0), Inbound: 512}},
		{"1024", 1024, 512, Plan{Limit: 1024, Reserved: 96, Inbound: 464, NetBackup: 464}},
		{"256", 256, 512, Plan{Limit: 256, Reserved: 72, Inbound: 92, NetBackup: 92}},
		{"4096, inbound fits", 4096, 512, Plan{Limit: 4096, Reserved: 192, Inbound: 512, NetBackup: 3392}},
		{"systemd's 524288", 524288, 512, Plan{Limit: 524288, Reserved: 4160, Inbound: 512, NetBackup: 519616}},
		{"huge", 1 << 40, 512, Plan{Limit: 1 << 40, Reserved: 4160, Inbound: 512, NetBackup: 1 << 20}},
		{"too low", 50, 512, Plan{Limit: 50, Reserved: 25, Inbound: 12, NetBackup: 12}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Size(tc.limit, tc.maxInbound)
			if got != tc.want {
				t.Errorf("Size(%d, %d) = %+v, want %+v", tc.limit, tc.maxInbound, got, tc.want)
			}
			if got.Limit != 0 && got.Limit < 1<<62 && uint64(got.Reserved+got.Inbound+got.NetBackup) > got.Limit {
				t.Errorf("the plan shares more than the limit: %+v", got)
			}
		})
	}
	if Size(50, 512).Enough() || !Size(1024, 512).Enough() || !Size(0, 512).Enough() {
		t.Error("Enough")
	}
}
