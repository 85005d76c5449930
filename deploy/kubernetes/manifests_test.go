// Package kubernetes tests the manifests of deploy/kubernetes.
package kubernetes

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
)

// decoder decodes YAML manifests as kubectl does, into the API types of core/v1 and
// batch/v1 chosen by their apiVersion and kind, and strictly: a field the type does
// not have (a typo, also of case), a duplicate field or a value of the wrong type is
// an error.
var decoder = func() *kjson.Serializer {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, batchv1.AddToScheme} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	return kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, scheme, scheme, kjson.SerializerOptions{Yaml: true, Strict: true})
}()

// decodeStrict decodes the manifest data into obj, whose type its apiVersion and kind
// must name.
func decodeStrict(data []byte, obj runtime.Object) error {
	_, _, err := decoder.Decode(data, nil, obj)
	return err
}

// decodeFile decodes the manifest in file into obj.
func decodeFile(t *testing.T, file string, obj runtime.Object) {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	require.NoError(t, decodeStrict(data, obj), "%s", file)
	gvk := obj.GetObjectKind().GroupVersionKind()
	want, _, err := decoder.Decode(data, nil, nil) // the type its apiVersion and kind name
	require.NoError(t, err)
	require.IsType(t, want, obj, "%s: %v", file, gvk)
}

// manifests are the files of this directory and the API types they must decode into.
func manifests() (pvc *corev1.PersistentVolumeClaim, pod *corev1.Pod, train, merge *batchv1.Job) {
	return &corev1.PersistentVolumeClaim{}, &corev1.Pod{}, &batchv1.Job{}, &batchv1.Job{}
}

func TestManifestsDecodeStrictly(t *testing.T) {
	pvc, pod, train, merge := manifests()
	files := map[string]runtime.Object{"pvc.yaml": pvc, "data-pod.yaml": pod, "train-job.yaml": train, "merge-job.yaml": merge}
	found, err := filepath.Glob("*.yaml")
	require.NoError(t, err)
	require.ElementsMatch(t, found, slices.Collect(mapKeys(files)), "every manifest must be decoded here")
	for file, obj := range files {
		decodeFile(t, file, obj)
	}

	assert.Equal(t, "v1", pvc.APIVersion)
	assert.Equal(t, "PersistentVolumeClaim", pvc.Kind)
	assert.Contains(t, pvc.Spec.AccessModes, corev1.ReadWriteMany, "the shard pods share the volume across nodes")
	assert.Equal(t, "v1", pod.APIVersion)
	assert.Equal(t, "Pod", pod.Kind)
	for _, job := range []*batchv1.Job{train, merge} {
		assert.Equal(t, "batch/v1", job.APIVersion)
		assert.Equal(t, "Job", job.Kind)
		assert.Equal(t, corev1.RestartPolicyNever, job.Spec.Template.Spec.RestartPolicy)
	}
	for _, spec := range []corev1.PodSpec{pod.Spec, train.Spec.Template.Spec, merge.Spec.Template.Spec} {
		require.Len(t, spec.Volumes, 1)
		require.NotNil(t, spec.Volumes[0].PersistentVolumeClaim)
		assert.Equal(t, pvc.Name, spec.Volumes[0].PersistentVolumeClaim.ClaimName, "every pod mounts the claim of pvc.yaml")
		require.Len(t, spec.Containers, 1)
		require.Len(t, spec.Containers[0].VolumeMounts, 1)
		assert.Equal(t, "/data", spec.Containers[0].VolumeMounts[0].MountPath)
	}

	// The Indexed Job runs shard i of m in pod i, m being its completions.
	require.NotNil(t, train.Spec.CompletionMode)
	assert.Equal(t, batchv1.IndexedCompletion, *train.Spec.CompletionMode)
	require.NotNil(t, train.Spec.Completions)
	require.NotNil(t, train.Spec.Parallelism)
	m := int(*train.Spec.Completions)
	assert.LessOrEqual(t, int(*train.Spec.Parallelism), m)
	trainer, merger := train.Spec.Template.Spec.Containers[0], merge.Spec.Template.Spec.Containers[0]
	assert.Empty(t, trainer.Command, "the image's entrypoint is rab")
	assert.Empty(t, merger.Command, "the image's entrypoint is rab")
	assert.Equal(t, "train", trainer.Args[0])
	assert.Equal(t, "merge", merger.Args[0])
	i := slices.Index(trainer.Args, "-shard")
	require.GreaterOrEqual(t, i, 0)
	assert.Equal(t, "$(JOB_COMPLETION_INDEX)/"+strconv.Itoa(m), trainer.Args[i+1])
	assert.Equal(t, "shard-*-of-"+strconv.Itoa(m)+".rab", merger.Args[len(merger.Args)-1],
		"merge takes the shard files that the train pods write (rab train's default name)")
	assert.Equal(t, "/data", trainer.WorkingDir)
	assert.Equal(t, "/data", merger.WorkingDir)
	assert.Equal(t, trainer.Image, merger.Image)
}

// TestStrictDecodingCatchesTypos: the decoding above fails on the mistakes it is
// there to catch.
func TestStrictDecodingCatchesTypos(t *testing.T) {
	data, err := os.ReadFile("train-job.yaml")
	require.NoError(t, err)
	for _, tc := range []struct{ old, new string }{
		{"completionMode: Indexed", "completionmode: Indexed"},                       // misspelt field
		{"parallelism: 4", "parallelism: four"},                                      // wrong type
		{"restartPolicy: Never", "restartPolicy: Never\n      restartPolicy: Never"}, // duplicate field
		{"workingDir: /data", "workDir: /data"},                                      // no such field
	} {
		edited := strings.Replace(string(data), tc.old, tc.new, 1)
		require.NotEqual(t, string(data), edited, "%q is not in train-job.yaml", tc.old)
		assert.Error(t, decodeStrict([]byte(edited), &batchv1.Job{}), "%q → %q", tc.old, tc.new)
	}
}

func mapKeys[K comparable, V any](m map[K]V) func(yield func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
