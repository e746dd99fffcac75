{{/*
Chart name, truncated to the 63 characters of a DNS label.
*/}}
{{- define "plugboard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name: the release name, plus the chart name unless the release name has it.
*/}}
{{- define "plugboard.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "plugboard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "plugboard.labels" -}}
helm.sh/chart: {{ include "plugboard.chart" . }}
{{ include "plugboard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: inference-server
{{- end }}

{{- define "plugboard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "plugboard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "plugboard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "plugboard.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
"true" when the GPU variant is selected; fails on an unknown variant.
*/}}
{{- define "plugboard.gpu" -}}
{{- if eq .Values.variant "gpu" }}true
{{- else if ne .Values.variant "cpu" }}
{{- fail (printf "variant must be cpu or gpu, not %q" .Values.variant) }}
{{- end }}
{{- end }}

{{/*
Image reference. The tag defaults to "<appVersion>-cpu" or "<appVersion>-cuda", the tags the
Dockerfile's two variants are published under.
*/}}
{{- define "plugboard.image" -}}
{{- $suffix := ternary "cuda" "cpu" (eq (include "plugboard.gpu" .) "true") }}
{{- $tag := .Values.image.tag | default (printf "%s-%s" .Chart.AppVersion $suffix) }}
{{- printf "%s:%s" .Values.image.repository (toString $tag) }}
{{- end }}

{{/*
Name of the model store's PersistentVolumeClaim.
*/}}
{{- define "plugboard.storeClaimName" -}}
{{- .Values.persistence.existingClaim | default (printf "%s-store" (include "plugboard.fullname" .)) }}
{{- end }}

{{/*
"true" when more than one pod may run at once (several replicas or an autoscaler).
*/}}
{{- define "plugboard.multiReplica" -}}
{{- if or (gt (int .Values.replicaCount) 1) (and .Values.autoscaling.enabled (gt (int .Values.autoscaling.maxReplicas) 1)) }}true{{- end }}
{{- end }}

{{/*
Refuses store settings that cannot work: several pods on the filesystem store (each would keep
its own models, or could not mount a ReadWriteOnce volume), or s3 without a bucket.
*/}}
{{- define "plugboard.validateStore" -}}
{{- if not (has .Values.store.type (list "filesystem" "s3")) }}
{{- fail (printf "store.type must be filesystem or s3, not %q" .Values.store.type) }}
{{- end }}
{{- if and (eq .Values.store.type "s3") (not .Values.store.s3.bucket) }}
{{- fail "store.type is s3 but store.s3.bucket is empty: name the bucket every replica shares (it must exist)." }}
{{- end }}
{{- if and (eq .Values.store.type "filesystem") (eq (include "plugboard.multiReplica" .) "true") }}
{{- $rwo := or (has "ReadWriteOnce" .Values.persistence.accessModes) (has "ReadWriteOncePod" .Values.persistence.accessModes) }}
{{- if not .Values.persistence.enabled }}
{{- fail "More than one replica (replicaCount > 1 or autoscaling) with the filesystem store and persistence disabled: every pod would keep its own models. Set store.type=s3 and store.s3.bucket so all replicas share one model repository." }}
{{- else if $rwo }}
{{- fail "More than one replica (replicaCount > 1 or autoscaling) with the filesystem store on a ReadWriteOnce volume: a second pod cannot mount it, and replicas would not see each other's uploads. Set store.type=s3 and store.s3.bucket (the pods then need no PersistentVolumeClaim), or run one replica." }}
{{- end }}
{{- end }}
{{- end }}
