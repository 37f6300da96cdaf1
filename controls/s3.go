package controls

// s3Controls are the controls of S3 buckets (components/storage).
var s3Controls = []*Control{}
