package main

// The Forklift model's history, for tests that prove what ran when:
// every change of a ForkliftController's spec knobs (controller_* and
// feature_*, as the operator renders them into the controllers' Deployments:
// roles/forkliftcontroller/templates in kubev2v/forklift) with its time, and
// the time each Migration's runner started and ended.
//
// control_url endpoint:
//   GET  /forklift/history  {"controller":[{"time","namespace","name","spec"}],
//                            "runs":[{"namespace","migration","plan","start","end"}]}
//   POST /forklift/history/reset  forget both
// Times are RFC 3339 with nanoseconds (UTC); "end" is "" while a run runs.

import (
	"reflect"
	"strings"
	"sync"
	"time"
)

type fkCtlChange struct {
	Time      string                 `json:"time"`
	Namespace string                 `json:"namespace"`
	Name      string                 `json:"name"`
	Spec      map[string]interface{} `json:"spec"`
}

type fkRunSpan struct {
	Namespace string `json:"namespace"`
	Migration string `json:"migration"`
	Plan      string `json:"plan"`
	Start     string `json:"start"`
	End       string `json:"end"`
}

type fkHistory struct {
	mu   sync.Mutex
	ctl  []fkCtlChange
	last map[string]map[string]interface{} // ns/name -> knobs last recorded
	runs []*fkRunSpan
}

var fkHist = &fkHistory{last: map[string]map[string]interface{}{}}

func fkHistNow() string { return time.Now().UTC().Format(time.RFC3339Nano) }

// knobs are the spec keys that change what the controllers do.
func fkCtlKnobs(o Obj) map[string]interface{} {
	out := map[string]interface{}{}
	spec, _ := o["spec"].(map[string]interface{})
	for k, v := range spec {
		if strings.HasPrefix(k, "controller_") || strings.HasPrefix(k, "feature_") {
			out[k] = v
		}
	}
	return out
}

// controller records a ForkliftController event when its knobs changed.
func (h *fkHistory) controller(ev string, o Obj) {
	key := fkNS(o) + "/" + fkName(o)
	knobs := fkCtlKnobs(o)
	if ev == "DELETED" {
		knobs = map[string]interface{}{}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if prev, ok := h.last[key]; ok && reflect.DeepEqual(prev, knobs) {
		return
	}
	h.last[key] = knobs
	h.ctl = append(h.ctl, fkCtlChange{Time: fkHistNow(), Namespace: fkNS(o), Name: fkName(o), Spec: knobs})
}

// runStart records a Migration runner's start; the returned func its end.
func (h *fkHistory) runStart(r *fkRun) func() {
	span := &fkRunSpan{Namespace: r.migNS, Migration: r.migName, Plan: r.planName, Start: fkHistNow()}
	h.mu.Lock()
	h.runs = append(h.runs, span)
	h.mu.Unlock()
	return func() {
		h.mu.Lock()
		span.End = fkHistNow()
		h.mu.Unlock()
	}
}

func (h *fkHistory) snapshot() map[string]interface{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	runs := make([]fkRunSpan, 0, len(h.runs))
	for _, r := range h.runs {
		runs = append(runs, *r)
	}
	ctl := append([]fkCtlChange{}, h.ctl...)
	return map[string]interface{}{"controller": ctl, "runs": runs}
}

func (h *fkHistory) reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ctl = nil
	h.runs = nil
	// the current knobs stay known: a reset does not make them changes
}
