package filesystem_test

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/filesystem"
	"github.com/securestack/platform/proof/engine/recorder"
)

// ExampleNewFileSystem records, under mocks, the processor's scratch file system over two zones:
// a mount target per zone (keyed by zone, so a new zone only adds one), the NFS security group,
// the TLS-only policy, backups, and an access point the EFS CSI driver's role may mount through.
func ExampleNewFileSystem() {
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := filesystem.NewFileSystem(ctx, "platform-dev-scratch", &filesystem.FileSystemArgs{
			AccountID:             "111111111111",
			KmsKeyArn:             pulumi.String("arn:aws:kms:eu-west-1:111111111111:key/data"),
			VpcID:                 pulumi.String("vpc-0dev"),
			ClientSecurityGroupID: pulumi.String("sg-0nodes"),
			PrivateSubnets: map[string]pulumi.StringInput{
				"eu-west-1a": pulumi.String("subnet-0a"), "eu-west-1b": pulumi.String("subnet-0b"),
			},
			AccessPoints: []filesystem.AccessPoint{{Name: "processor", UID: 1000, GID: 1000, Path: "/processor"}},
			MountGrants:  []filesystem.MountGrant{{AccessPoint: "processor", RoleName: pulumi.String("platform-dev-efs-csi")}},
		})
		return err
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(g.Listing())
	ap, _ := g.Named("aws:efs/accessPoint:AccessPoint", "platform-dev-scratch-processor")
	mode, _ := ap.String("rootDirectory.creationInfo.permissions")
	fmt.Println("access point root permissions:", mode)
	// Output:
	// platform-dev-scratch-nfs aws:ec2/securityGroup:SecurityGroup
	// platform-dev-scratch-processor aws:efs/accessPoint:AccessPoint
	// platform-dev-scratch-backup aws:efs/backupPolicy:BackupPolicy
	// platform-dev-scratch aws:efs/fileSystem:FileSystem
	// platform-dev-scratch-policy aws:efs/fileSystemPolicy:FileSystemPolicy
	// platform-dev-scratch-eu-west-1a aws:efs/mountTarget:MountTarget
	// platform-dev-scratch-eu-west-1b aws:efs/mountTarget:MountTarget
	// platform-dev-scratch-processor-mount aws:iam/rolePolicy:RolePolicy
	// platform-dev-scratch platform:filesystem:FileSystem
	// access point root permissions: 0750
}
